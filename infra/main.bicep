// The whole deployment, in the shape of Microsoft's Flex Consumption azd quickstarts
// (durable-functions-quickstart-python-azd, functions-quickstart-python-azd-cosmosdb):
// subscription scope, one resource group, a user-assigned identity that every data-plane
// grant goes to, and no keys anywhere (Storage, Cosmos DB and App Insights all keyless).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to generate a short unique hash for every resource.')
param environmentName string

@minLength(1)
@description('Primary location for all resources (a region that offers Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user: given the same data-plane roles, for debugging. Empty for none.')
param principalId string = ''

@description('Origin of the web frontend (e.g. https://<name>.azurestaticapps.net): CORS on the API and on Blob Storage (browser PUT to the SAS URL). Empty: no cross-origin access.')
param frontendOrigin string = ''

@description('Client (application) id of the Entra ID app registration the frontend signs in with. Empty: no sign-in configured, and every non-health route stays closed (function keys, 401 from the app).')
param authClientId string = ''

@description('Tenant whose users may sign in.')
param authTenantId string = tenant().tenantId

@description('App role (in the sign-in token) that sees every analysis, not only its own.')
param clinicRole string = 'clinician'

@description('Deployment default walker height in metres, used (and marked as assumed) when a request gives none. Empty: off.')
param assumedHeightM string = ''

@description('Hours after which blobs without an analysis record (a SAS upload never processed) are deleted by the retention_sweep timer.')
param uploadRetentionHours string = '24'

@description('Days after which failed or cancelled analyses are deleted (Cosmos TTL on the record, and the retention_sweep timer for the blobs).')
param failedRetentionDays string = '7'

@description('Minutes without progress after which the watchdog ends an analysis as failed.')
param stallMinutes string = '30'

@description('E-mail address that receives the alerts. Empty: alerts fire without notifying anyone.')
param alertEmail string = ''

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var videosContainerName = 'videos'
var artifactsContainerName = 'artifacts'
var cosmosDatabaseName = 'gait'
var cosmosContainerName = 'analyses'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// The Function App's identity: every role assignment in rbac.bicep goes to it.
module apiUserAssignedIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'apiUserAssignedIdentity'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: [deploymentStorageContainerName, videosContainerName, artifactsContainerName]
    corsOrigin: frontendOrigin
  }
}

module cosmosDb './app/db.bicep' = {
  name: 'cosmosDb'
  scope: rg
  params: {
    name: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containerName: cosmosContainerName
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    storageAccountName: storage.outputs.name
    deploymentStorageContainerName: deploymentStorageContainerName
    identityId: apiUserAssignedIdentity.outputs.resourceId
    identityClientId: apiUserAssignedIdentity.outputs.clientId
    corsOrigin: frontendOrigin
    authClientId: authClientId
    authTenantId: authTenantId
    // The app's own settings (names as in gait/service/settings.py); the platform ones are
    // added in api.bicep. tests/service/test_infra.py checks this list against the code.
    appSettings: {
      GAIT_HTTP_AUTH_LEVEL: empty(authClientId) ? 'function' : 'anonymous'
      GAIT_REQUIRE_PLATFORM_AUTH: 'true'
      GAIT_CLINIC_ROLE: clinicRole
      GAIT_ASSUMED_HEIGHT_M: assumedHeightM
      GAIT_UPLOAD_RETENTION_HOURS: uploadRetentionHours
      GAIT_FAILED_RETENTION_DAYS: failedRetentionDays
      GAIT_WATCHDOG_STALL_MINUTES: stallMinutes
      GAIT_STORAGE_ACCOUNT_URL: storage.outputs.blobEndpoint
      GAIT_VIDEOS_CONTAINER: videosContainerName
      GAIT_ARTIFACTS_CONTAINER: artifactsContainerName
      GAIT_COSMOS_ENDPOINT: cosmosDb.outputs.endpoint
      GAIT_COSMOS_DATABASE: cosmosDatabaseName
      GAIT_COSMOS_CONTAINER: cosmosContainerName
      GAIT_MAX_UPLOAD_MB: '50'
      GAIT_MAX_VIDEO_MB: '2048'
      GAIT_SAS_MINUTES: '15'
      GAIT_CHUNK_FRAMES: '240'
      GAIT_PARALLEL_CHUNKS: '2'
      GAIT_DEPENDENCY_TIMEOUT_S: '3'
    }
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbacAssignments'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.applicationInsightsName
    cosmosDbAccountName: cosmosDb.outputs.accountName
    managedIdentityPrincipalId: apiUserAssignedIdentity.outputs.principalId
    userIdentityPrincipalId: principalId
  }
}

module alerts './app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    readinessUrl: 'https://${api.outputs.defaultHostName}/api/health/ready'
    alertEmail: alertEmail
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
output GAIT_STORAGE_ACCOUNT_URL string = storage.outputs.blobEndpoint
output GAIT_COSMOS_ENDPOINT string = cosmosDb.outputs.endpoint

// The Function App on Flex Consumption: Python 3.11, 2048 MB instances, one always-ready
// instance for the Durable group (orchestrations and activities start without a cold start),
// user-assigned identity for everything, keyless host storage, platform sign-in.
param name string
param planName string
param location string = resourceGroup().location
param tags object = {}
param applicationInsightsName string
param storageAccountName string
param deploymentStorageContainerName string
param identityId string
param identityClientId string
@description('The app settings gait/service/settings.py reads.')
param appSettings object
param corsOrigin string = ''
param authClientId string = ''
param authTenantId string = tenant().tenantId
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100

//: Routes that answer without sign-in: probes, the legacy frontend's health check, the API
//: description. Everything else needs a signed-in caller when sign-in is configured.
var anonymousPaths = ['/api/health', '/api/health/ready', '/api/v1/health', '/api/openapi.json']

resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Settings the platform and the SDKs read (not the app's code): see PLATFORM_SETTINGS in
// tests/service/test_infra.py for why each one is here.
var platformSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: stg.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: stg.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: stg.properties.primaryEndpoints.table
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

resource api 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${stg.properties.primaryEndpoints.blob}${deploymentStorageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: 1
          }
        ]
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        allowedOrigins: empty(corsOrigin) ? [] : [corsOrigin]
        supportCredentials: false
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: api
  name: 'appsettings'
  properties: union(appSettings, platformSettings)
}

// App Service Authentication with Entra ID: the platform validates the caller's token and
// hands the app the x-ms-client-principal header, which the app checks
// (GAIT_REQUIRE_PLATFORM_AUTH). Without a client id nothing is configured and the app
// keeps answering 401 on every non-health route.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(authClientId)) {
  parent: api
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: anonymousPaths
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [authClientId, 'api://${authClientId}']
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = api.name
output defaultHostName string = api.properties.defaultHostName

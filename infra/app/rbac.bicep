// Data-plane roles for the app's identity (and, optionally, the deploying user), as in
// Microsoft's quickstarts' rbac.bicep: Blob Data Owner (videos, artefacts, user delegation
// keys for SAS, the host's blobs), Queue and Table Data Contributor (the Durable task hub),
// Monitoring Metrics Publisher (keyless App Insights), Cosmos DB Built-in Data Contributor.
param storageAccountName string
param appInsightsName string
param cosmosDbAccountName string
param managedIdentityPrincipalId string
@description('The deploying user, for debugging with their own identity. Empty: none.')
param userIdentityPrincipalId string = ''

var storageRoles = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
]
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource cosmosDbAccount 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' existing = {
  name: cosmosDbAccountName
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storageAccount.id, managedIdentityPrincipalId, role)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: managedIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource storageRoleAssignmentsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in (empty(userIdentityPrincipalId) ? [] : storageRoles): {
  name: guid(storageAccount.id, userIdentityPrincipalId, role)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: userIdentityPrincipalId
    principalType: 'User'
  }
}]

resource appInsightsRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, managedIdentityPrincipalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: managedIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource cosmosAppRoleAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmosDbAccount
  name: guid(cosmosDataContributor, managedIdentityPrincipalId, cosmosDbAccount.id)
  properties: {
    principalId: managedIdentityPrincipalId
    roleDefinitionId: '${cosmosDbAccount.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    scope: cosmosDbAccount.id
  }
}

resource cosmosUserRoleAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = if (!empty(userIdentityPrincipalId)) {
  parent: cosmosDbAccount
  name: guid(cosmosDataContributor, userIdentityPrincipalId, cosmosDbAccount.id)
  properties: {
    principalId: userIdentityPrincipalId
    roleDefinitionId: '${cosmosDbAccount.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    scope: cosmosDbAccount.id
  }
}

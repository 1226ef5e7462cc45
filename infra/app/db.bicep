// Cosmos DB for NoSQL, serverless, Entra ID only (disableLocalAuth), as in Microsoft's
// functions-quickstart-*-azd-cosmosdb db.bicep. The data plane cannot create databases or
// containers under Entra ID, so both are created here.
param name string
param location string = resourceGroup().location
param tags object = {}
param databaseName string
param containerName string

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
      }
    ]
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: 'Continuous7Days'
      }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      // One analysis per logical partition: every read and write is a point operation.
      partitionKey: {
        paths: ['/id']
        kind: 'Hash'
      }
      // TTL on, no default: a record expires only when the app sets its `ttl` (failed and
      // cancelled analyses, after GAIT_FAILED_RETENTION_DAYS).
      defaultTtl: -1
    }
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint

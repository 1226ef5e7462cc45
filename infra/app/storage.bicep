// Storage for the Functions host (task hub queues/tables, deployment package) and for the
// app (videos, artefacts). Shared keys off: the host and the app use the managed identity,
// and the app signs its SAS URLs with a user delegation key.
param name string
param location string = resourceGroup().location
param tags object = {}
param containerNames array
@description('Browser origin allowed to PUT videos to SAS URLs and read them back. Empty: none.')
param corsOrigin string = ''

resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: stg
  name: 'default'
  properties: {
    cors: {
      corsRules: empty(corsOrigin) ? [] : [
        {
          allowedOrigins: [corsOrigin]
          allowedMethods: ['GET', 'HEAD', 'PUT', 'OPTIONS']
          allowedHeaders: ['*']
          exposedHeaders: ['*']
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for containerName in containerNames: {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}]

// No lifecycle management rule: expiry is the app's retention_sweep timer (and the records'
// Cosmos TTL). A rule by age over videos/ or artifacts/ would also delete the videos and
// results of completed analyses, which are kept (they share the {analysis_id}/ prefix with
// never-processed uploads), and the app sets no blob index tags a rule could select on.

output name string = stg.name
output blobEndpoint string = stg.properties.primaryEndpoints.blob
output queueEndpoint string = stg.properties.primaryEndpoints.queue
output tableEndpoint string = stg.properties.primaryEndpoints.table

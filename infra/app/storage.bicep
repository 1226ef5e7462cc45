// Storage for the Functions host (task hub queues/tables, deployment package) and for the
// app (videos, artefacts). Shared keys off: the host and the app use the managed identity,
// and the app signs its SAS URLs with a user delegation key.
param name string
param location string = resourceGroup().location
param tags object = {}
param containerNames array
@description('Containers whose blobs the retention rule may delete (only blobs the app tags for expiry).')
param retentionContainerNames array
param retentionDays int
@description('Browser origin allowed to PUT videos to SAS URLs and read them back. Empty: none.')
param corsOrigin string = ''

//: Blob index tag the app sets on what it wants expired (a never-processed upload, a failed
//: analysis's video and artefacts); completed analyses carry no such tag and are kept.
var retentionTag = 'gait-retention'

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

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: stg
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-tagged-analyses'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: [for containerName in retentionContainerNames: '${containerName}/']
              blobIndexMatch: [
                {
                  name: retentionTag
                  op: '=='
                  value: 'expire'
                }
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: retentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [containers]
}

output name string = stg.name
output blobEndpoint string = stg.properties.primaryEndpoints.blob
output queueEndpoint string = stg.properties.primaryEndpoints.queue
output tableEndpoint string = stg.properties.primaryEndpoints.table

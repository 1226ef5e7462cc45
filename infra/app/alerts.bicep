// Alerts as scheduled log queries over Application Insights. Each query matches a log line
// the app writes (tests/service/test_infra.py checks that the code still writes it):
//   "[analysis <id>] failed (<code>): ..."        record_failure
//   "[analysis <id>] persist: completed in ..."   persist_result
//   "[analysis <id>] watchdog: stuck ..."         the watchdog, when it ends a stuck analysis
// and an availability test that calls the readiness route every 5 minutes.
param location string = resourceGroup().location
param tags object = {}
param resourceToken string
param applicationInsightsName string
param readinessUrl string
param alertEmail string = ''
@description('Share of finished analyses that failed, over an hour, above which the failure alert fires.')
param failedShareThreshold string = '0.2'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-gait-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'gait'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail) ? {} : { actionGroups: [actionGroup.id] }

// Calls /api/health/ready from three regions; readiness answers 503 when a dependency or
// the decoder self-test fails.
resource readinessTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'readiness-${resourceToken}'
  location: location
  tags: union(tags, { 'hidden-link:${applicationInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'readiness-${resourceToken}'
    Name: 'readiness'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'emea-nl-ams-azr' }
      { Id: 'us-va-ash-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: readinessUrl
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: false
    }
  }
}

var rules = [
  {
    name: 'failed-analyses'
    description: 'More than the threshold share of analyses failed in the last hour (at least 5 finished).'
    severity: 2
    frequency: 'PT15M'
    window: 'PT1H'
    query: '''
traces
| where message startswith "[analysis "
| extend outcome = case(message has "] failed (", "failed", message has "] persist: completed", "completed", "")
| where outcome != ""
| summarize failed = countif(outcome == "failed"), finished = count()
| where finished >= 5 and todouble(failed) / finished > THRESHOLD
'''
  }
  {
    name: 'stuck-analysis'
    description: 'The watchdog ended an analysis whose progress had stopped.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: '''
traces
| where message startswith "[analysis " and message has "] watchdog: stuck"
'''
  }
  {
    name: 'readiness-failing'
    description: 'The readiness route failed twice or more in 15 minutes.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
availabilityResults
| where name == "readiness" and success == false
| summarize failures = count()
| where failures >= 2
'''
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for rule in rules: {
  name: '${rule.name}-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: rule.name
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    criteria: {
      allOf: [
        {
          query: replace(rule.query, 'THRESHOLD', failedShareThreshold)
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}]

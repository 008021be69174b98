Feature: Graceful degradation
  When a pool has no backend left to send to, clients are told so at once: 503 (Service
  Unavailable) with a Retry-After header (whole seconds, at least 1) and a body saying why, never a
  hang and never a 502 from a doomed attempt. A pool may instead name a backup pool, which takes
  its traffic only while none of its own backends is available; or set a panic threshold: while
  fewer than panicThresholdPercent of its backends are available, it spreads traffic over all of
  them, healthy or not, rather than crushing the few that are left (Envoy's panic mode).

  @task-15 @l7 @active-health-checks @graceful-degradation @round-robin @id:degrade-backend-down-clients-get
  Scenario: With every backend down, clients get an immediate 503 with Retry-After
    Given 2 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 100, "unhealthyThreshold": 1, "healthyThreshold": 1 } }
      """
    When every backend starts failing its health checks
    Then within 1 failed check the balancer answers every request with status 503
    When a client sends 10 requests one after another
    Then every request after that was answered at once with status 503, a Retry-After and a body
    And no backend received any request

  @task-15 @l7 @active-health-checks @panic-threshold @round-robin @id:degrade-below-panic-threshold-traffic
  Scenario: Below the panic threshold traffic spreads over every backend
    Given 4 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 100, "unhealthyThreshold": 1, "healthyThreshold": 1 },
        "panicThresholdPercent": 50 }
      """
    When backend b1 starts failing its health checks
    Then within 1 failed check the balancer sends requests only to b2, b3, b4
    When backends b2, b3 start failing their health checks
    Then within 1 failed check the balancer sends requests only to b1, b2, b3, b4
    And every request succeeded

  @task-15 @l7 @active-health-checks @backup-pool @round-robin @id:degrade-backup-pool-takes-traffic
  Scenario: A backup pool takes traffic only while every primary backend is down
    Given 3 HTTP backends
    And backend b3 makes up the backup pool
    And a balancer with an HTTP listener using round_robin over b1, b2, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 100, "unhealthyThreshold": 1, "healthyThreshold": 1 } }
      """
    When a client sends 20 requests one after another
    Then backend b3 received no requests
    When backends b1, b2 start failing their health checks
    Then within 1 failed check the balancer sends requests only to b3
    When backend b1 passes its health checks again
    Then after 1 passed check, and not sooner, the balancer sends requests only to b1
    And every request succeeded

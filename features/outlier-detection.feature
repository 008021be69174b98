@passive-health-checks @round-robin
Feature: Passive health checks (outlier detection)
  A pool with "outlierDetection" watches the answers of real traffic. A backend that fails
  consecutiveFailures requests in a row (a 5xx answer, a refused or reset connection, a timeout)
  is ejected: it gets no requests for baseEjectionMs x the number of times it has been ejected, at
  most maxEjectionMs. Then it takes traffic again, and its count of failures starts from zero.
  Never more than maxEjectionPercent of the pool's backends (rounded down, but at least one) are
  ejected at once.

  Ejections are timed on the backend's own arrival log: a pause must last at least the ejection
  time and at most the ejection time plus a slack for a busy machine (500 ms x LBSPEC_TIME_SCALE).

  @task-03 @l7 @id:outlier-failures-row-eject-backend
  Scenario: Failures in a row eject a backend for a time that grows with each ejection, up to a cap
    b2 and b3 answer after 5 ms, so the client keeps up its requests through the ejections without
    spending the machine's every cycle on them.

    Given 3 HTTP backends
    And backend b1 answers every request with status 500
    And backend b2 delays its answers by 5 ms
    And backend b3 delays its answers by 5 ms
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "outlierDetection": { "consecutiveFailures": 3, "baseEjectionMs": 300, "maxEjectionMs": 600,
                              "maxEjectionPercent": 50 } }
      """
    When a client sends requests until backend b1 has answered 15
    Then backend b1 received its requests in runs of 3, separated by ejections of 300, 600, 600 and 600 ms

  @task-03 @l7 @id:outlier-more-configured-share-pool
  Scenario: No more than the configured share of the pool is ejected
    Given 4 HTTP backends
    And every backend answers every request with status 500
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "outlierDetection": { "consecutiveFailures": 3, "baseEjectionMs": 60000, "maxEjectionPercent": 50 } }
      """
    When a client sends 60 requests one after another
    Then the last 20 requests were answered by exactly 2 backends

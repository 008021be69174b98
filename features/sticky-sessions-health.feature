@l7 @sticky-sessions @active-health-checks @round-robin @health-check-thresholds
Feature: Sticky sessions give way to health
  A cookie pins a client to its backend only while that backend is available: once its health
  checks take it out of rotation, the client's requests are balanced over the others as if it had
  no cookie, and the first answer pins it to its new backend with a fresh cookie.

  @task-08
  Scenario: A client whose backend turns unhealthy goes elsewhere and is pinned there
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" },
        "healthCheck": { "type": "http", "path": "/health", "intervalMs": 200, "timeoutMs": 100,
                         "unhealthyThreshold": 2, "healthyThreshold": 2 } }
      """
    When a client sends 1 request one after another, returning the cookie it is given
    And the backend it reached starts failing its health checks, and within 2 failed checks is out of rotation
    And the client sends 6 more requests, returning the cookie it is given
    Then the requests after the change succeeded on one other backend, and the first of them replaced the cookie

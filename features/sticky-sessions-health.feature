@l7 @sticky-sessions @round-robin
Feature: Sticky sessions give way to health, draining and open breakers
  A cookie pins a client to its backend only while that backend may take new requests: once its
  health checks take it out of rotation, it is drained, or its circuit breaker opens, the client's
  requests are balanced over the others as if it had no cookie, and the first answer pins it to its
  new backend with a fresh cookie.

  @task-08 @active-health-checks @health-check-thresholds @id:sticky-health-client-backend-turns-unhealthy
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

  @task-08 @runtime-membership @drain-ends-affinity @id:sticky-health-client-backend-drained-goes
  Scenario: A client whose backend is drained goes elsewhere and is pinned there
    A draining backend finishes what it has in flight and takes nothing new, not even a request its
    cookie pins to it.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" } }
      """
    When a client sends 1 request one after another, returning the cookie it is given
    And the backend it reached is drained
    And the client sends 6 more requests, returning the cookie it is given
    Then the requests after the change succeeded on one other backend, and the first of them replaced the cookie

  @task-08 @circuit-breaker @id:sticky-health-client-backend-opens-goes
  Scenario: A client whose backend's breaker opens goes elsewhere and is pinned there
    The pinned backend fails the client's next three requests, which opens its breaker for ten
    seconds: the client's requests after that go elsewhere.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" },
        "circuitBreaker": { "consecutiveFailures": 3, "openMs": 10000, "maxOpenMs": 10000 } }
      """
    When a client sends 1 request one after another, returning the cookie it is given
    And the backend it reached answers every request with status 500
    And the client sends 3 more requests, returning the cookie it is given
    Then every request reached the backend the first one did
    When the client sends 6 more requests, returning the cookie it is given
    Then the requests after the change succeeded on one other backend, and the first of them replaced the cookie

@retries @round-robin
Feature: Retries and failover
  A pool with "retries" retries a failed attempt, up to "attempts" times, on a backend that has not
  failed this request yet whenever the pool has one. Only the failures named in retryOn are retried:
  "connect-failure" (refused, or no connection within the connect timeout), "reset" (the connection
  closed or reset before an answer), "timeout" (no answer within the response timeout), or an HTTP
  status (the failed answer is discarded; the last attempt's answer goes to the client).

  A request that is not idempotent (POST, PATCH, CONNECT, LOCK) may have had effects once it was
  sent, so it is retried only after a failure to connect, when nothing was sent, unless the pool
  sets retryNonIdempotent. For TCP, a connection is retried on another backend when its backend
  cannot be connected to; the client's first bytes wait meanwhile.

  @task-03
  Scenario Outline: A <protocol> request to a stopped backend is retried on another
    Each running backend keeps its own turns in the rotation (10 of 30); which of the two takes a
    retry of b2's turn is the balancer's choice (the next in rotation, or either at random), so
    neither is promised more.

    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 2, "retryOn": ["connect-failure"], "baseIntervalMs": 0, "maxIntervalMs": 0 } }
      """
    When backend b2 is stopped
    And a client sends 30 requests one after another
    Then every request succeeded
    And each running backend received at least 10 requests

    @l7 @id:retry-request-stopped-backend-retried-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:retry-request-stopped-backend-retried-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @task-03 @l7 @connect-timeout @id:retry-backend-cannot-connected-time
  Scenario: A backend that cannot be connected to in time is retried on another
    Given 3 HTTP backends
    And backend b1 accepts no connections
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "connectMs": 200 },
        "retries": { "attempts": 2, "retryOn": ["connect-failure"], "baseIntervalMs": 0, "maxIntervalMs": 0 } }
      """
    When a client sends 12 requests one after another
    Then every request succeeded

  @task-03 @l7 @retry-backoff @retry-on-reset @id:retry-clients-idempotent-requests-see
  Scenario: Clients of idempotent requests see no error when a backend dies under load
    Given 3 HTTP backends
    And every backend delays its answers by 20 ms
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 2, "retryOn": ["connect-failure", "reset"], "baseIntervalMs": 10, "maxIntervalMs": 50 } }
      """
    When backend b2 is killed while 4 clients each send 40 requests at the same time
    Then every request succeeded

  @task-15 @l7 @retry-on-reset @id:retry-post-reached-backend-retried
  Scenario: A POST that reached a backend is not retried
    Given 2 HTTP backends
    And backend b1 resets every connection
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 2, "retryOn": ["connect-failure", "reset"], "baseIntervalMs": 0, "maxIntervalMs": 0 } }
      """
    When a client sends 10 POST requests one after another
    Then exactly 5 requests failed
    And backends b1, b2 each counted exactly 5 requests arriving

  @task-15 @l7 @retry-on-reset @retry-non-idempotent @id:retry-post-retried-after-reset
  Scenario: A POST is retried after a reset when the pool allows it
    Given 2 HTTP backends
    And backend b1 resets every connection
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 2, "retryOn": ["connect-failure", "reset"], "baseIntervalMs": 0, "maxIntervalMs": 0,
                     "retryNonIdempotent": true } }
      """
    When a client sends 10 POST requests one after another
    Then every request succeeded

  @task-15 @l7 @id:retry-post-could-connect-retried
  Scenario: A POST that could not connect is retried, since nothing was sent
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 2, "retryOn": ["connect-failure"], "baseIntervalMs": 0, "maxIntervalMs": 0 } }
      """
    When backend b1 is stopped
    And a client sends 12 POST requests one after another
    Then every request succeeded

  @task-15 @l7 @retry-on-status @id:retry-goes-backend-has-failed
  Scenario: A retry goes to a backend that has not failed the request
    Given 3 HTTP backends
    And backend b1 answers every request with status 503
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 2, "retryOn": [503], "baseIntervalMs": 0, "maxIntervalMs": 0 } }
      """
    When a client sends 30 requests one after another
    Then every request succeeded
    And no request reached the same backend twice

  @task-15 @l7 @retry-backoff @retry-on-status @id:retry-retries-back-off-exponentially
  Scenario: Retries back off exponentially with full jitter
    Retry n waits a uniformly random time in [0, min(maxIntervalMs, baseIntervalMs x 2^(n-1))]:
    here up to 100, 200 and 400 ms. The backend's arrival log shows the waits; with 48 requests
    the check tells jitter and growth apart from fixed or missing waits, and fails a correct
    balancer with probability below 1e-6.

    Given 1 HTTP backend
    And backend b1 answers every request with status 503
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 3, "retryOn": [503], "baseIntervalMs": 100, "maxIntervalMs": 1000 } }
      """
    When 8 clients each send 6 requests at the same time
    Then every request was answered with status 503
    And the retries of every request waited as full-jitter exponential backoff allows

  @task-15 @l7 @retry-budget @retry-on-status @id:retry-budget-keeps-failing-pool
  Scenario: A retry budget keeps a failing pool from a retry storm
    With 3 attempts a failing pool would see 4 times the traffic; the budget allows 20% more, plus
    5 retries per 10 seconds however little traffic there is.

    Given 2 HTTP backends
    And every backend answers every request with status 503
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "retries": { "attempts": 3, "retryOn": [503], "baseIntervalMs": 0, "maxIntervalMs": 0,
                     "budget": { "percent": 20, "minRetries": 5 } } }
      """
    When 4 clients each send 50 requests at the same time
    Then the backends received no more retries than the budget allows

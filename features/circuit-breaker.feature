@circuit-breaker @round-robin
Feature: Circuit breaker
  A pool with "circuitBreaker" keeps a breaker per backend, in one of three states.

  CLOSED: requests flow. consecutiveFailures failed requests in a row open it; so does, when
  failureRatePercent is set, a failure rate of at least that percent over the last windowMs once
  the window holds minimumRequests requests. What counts as a
  failure is failureOn: by default a refused or reset connection, a timeout and any 5xx answer; a
  4xx never counts unless listed.

  OPEN: the backend receives no request at all for openMs x 2^(n - 1), at most maxOpenMs, where n
  counts the openings since the breaker last closed. Clients go to another backend whose breaker
  admits them; when none is left they get 503 at once, with Retry-After and the header
  X-Circuit-Breaker: open.

  HALF-OPEN: once the open time is up, exactly halfOpenRequests trial requests are sent to the
  backend; requests beyond them, even concurrent ones, go elsewhere. When every trial succeeds the
  breaker closes; the first failed trial opens it again, for longer.

  maxConcurrentRequests caps the requests in flight to each backend, so one hanging backend cannot
  take every connection: beyond the cap requests go elsewhere, or get 503 at once with
  X-Circuit-Breaker: overloaded.

  Timings are checked on the backend's own arrival log: a pause lasts at least the open time and
  at most the open time plus a slack for a busy machine (500 ms x LBSPEC_TIME_SCALE).

  @task-09 @l7 @id:breaker-failures-row-open-failed
  Scenario: Failures in a row open the breaker, and a failed trial opens it again for longer
    b2 answers after 5 ms, so the client keeps up its requests while the breaker is open without
    spending the machine's every cycle on them.

    Given 2 HTTP backends
    And backend b1 answers every request with status 500
    And backend b2 delays its answers by 5 ms
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 3, "openMs": 300, "maxOpenMs": 600, "halfOpenRequests": 1 } }
      """
    When a client sends requests until backend b1 has answered 6
    Then backend b1 received runs of 3, 1, 1 and 1 requests, separated by pauses of 300, 600 and 600 ms

  @task-09 @l7 @id:breaker-failure-rate-over-window
  Scenario: A failure rate over the window opens the breaker, though failures never come in a row
    Every other answer of b1 fails: never two in a row, but half of them, over the 40% allowed.
    The tenth request fills the window to its minimum and opens the breaker.

    Given 2 HTTP backends
    And backend b1 answers its requests with statuses 500, 200 in turn
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 100, "failureRatePercent": 40, "minimumRequests": 10,
                            "windowMs": 60000, "openMs": 60000 } }
      """
    When a client sends 60 requests one after another
    Then backend b1 counted exactly 10 requests arriving

  @task-09 @l7 @retries @retry-on-status @id:breaker-failed-attempts-retry-hides
  Scenario: Failed attempts that a retry hides from the client still open the breaker
    Every request b1 takes fails with 500 and is retried on b2, so the client sees only successes.
    The breaker counts attempts, not what the client finally got: b1 takes 3 requests and then no
    more. A balancer that records only each request's final outcome never opens it.

    Given 2 HTTP backends
    And backend b1 answers every request with status 500
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 3, "openMs": 60000 },
        "retries": { "attempts": 1, "retryOn": [500], "baseIntervalMs": 0, "maxIntervalMs": 0 } }
      """
    When a client sends 30 requests one after another
    Then backend b1 counted exactly 3 requests arriving
    And every request succeeded

  @task-09 @l7 @id:breaker-successful-trial-closes-backend
  Scenario: A successful trial closes the breaker and the backend takes its share again
    Given 2 HTTP backends
    And backend b1 fails its first 3 requests with status 500
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 3, "openMs": 300, "halfOpenRequests": 1 } }
      """
    When a client sends requests until backend b1 has answered 13
    Then backend b1 received runs of 3 and 10 requests, separated by a pause of 300 ms

  @task-09 @l7 @id:breaker-half-open-lets-exactly-trial
  Scenario: A half-open breaker lets exactly its trial requests through, however many clients wait
    b2 answers after 10 ms, so the eight clients keep a steady stream of requests (several hundred
    a second, dozens during each 100 ms trial) without taking the machine's every cycle.

    Given 2 HTTP backends
    And backend b1 answers every request with status 500 after 100 ms
    And backend b2 delays its answers by 10 ms
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 2, "openMs": 300, "maxOpenMs": 300, "halfOpenRequests": 1 } }
      """
    When 8 clients keep sending requests for 2000 ms
    Then once its breaker had opened, backend b1 received 1 trial request at a time, at least 300 ms apart

  @task-09 @l7 @id:breaker-open-clients-get-503
  Scenario: With every breaker open, clients get 503 at once, saying why
    Given 1 HTTP backend
    And backend b1 answers every request with status 500
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 3, "openMs": 10000 } }
      """
    When a client sends 8 requests one after another
    Then exactly 5 requests were answered at once with status 503 and X-Circuit-Breaker: open
    And backend b1 counted exactly 3 requests arriving

  @task-09 @l7 @id:breaker-answers-4xx-do-open
  Scenario: Answers of 4xx do not open the breaker
    Given 2 HTTP backends
    And backend b1 answers every request with status 404
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "circuitBreaker": { "consecutiveFailures": 2, "openMs": 10000 } }
      """
    When a client sends 20 requests one after another
    Then backends b1, b2 each counted exactly 10 requests arriving

  @task-09 @task-15 @l7 @timeouts @id:breaker-hanging-backend-gets-more
  Scenario: A hanging backend gets no more than its cap; the excess is answered 503 at once
    Cascade prevention: with the backend hanging, two requests wait for the response timeout and
    the other four are turned away at once instead of piling up.

    Given 1 HTTP backend
    And backend b1 never answers
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "responseMs": 1000 }, "circuitBreaker": { "consecutiveFailures": 1000, "maxConcurrentRequests": 2 } }
      """
    When 6 clients each send 1 request at the same time
    Then exactly 4 requests were answered at once with status 503 and X-Circuit-Breaker: overloaded
    And exactly 2 requests were answered with status 504, each within the response timeout
    And backend b1 never had more than 2 requests in flight

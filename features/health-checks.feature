@active-health-checks @round-robin @health-check-thresholds
Feature: Active health checks
  A pool with "healthCheck" probes each of its backends at once and then every intervalMs. An HTTP
  check sends GET <path> and passes on one of expectedStatuses; a TCP check passes when a connection
  is accepted; a probe not answered within timeoutMs fails. unhealthyThreshold failed probes in a
  row take a backend out of rotation and healthyThreshold passed probes in a row put it back; a
  shorter run changes nothing. Before its first probes a backend is in initialState.

  Timing is checked against the pool's own numbers. "Within N failed checks" means no later than
  N x max(intervalMs, timeoutMs) + timeoutMs after the change, plus a slack for a busy machine
  (500 ms x LBSPEC_TIME_SCALE). "After N passed checks, and not sooner" means no later than
  N x max(intervalMs, timeoutMs) + slack, and no sooner than (N - 1) x intervalMs: the N-th probe
  cannot start earlier. Sooner also means before the backend answered its N-th passed probe since
  the change, by its own clock: no request may arrive before that, however busy the machine.

  Scenarios that script each check's answer count checks where the backend answers them; their
  timeout (1000 ms) is ten intervals long, so that a busy machine cannot turn a late 200 into a
  failure the script did not ask for.

  @task-03 @l7 @id:health-backend-fails-checks-taken
  Scenario: A backend that fails its health checks is taken out in time, and no request fails
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "type": "http", "path": "/health", "intervalMs": 200, "timeoutMs": 100,
                         "unhealthyThreshold": 3, "healthyThreshold": 3 } }
      """
    When backend b1 starts failing its health checks
    Then within 3 failed checks the balancer sends requests only to b2, b3
    When backend b1 passes its health checks again
    Then after 3 passed checks, and not sooner, the balancer sends requests only to b1, b2, b3
    And every request succeeded

  @task-03 @l7 @id:health-failed-checks-fewer-unhealthy
  Scenario: Failed checks fewer than the unhealthy threshold in a row change nothing
    With an unhealthy threshold of 3, the pattern fail, fail, pass, fail, fail, pass, fail, fail
    never has three failures in a row: the backend stays in rotation throughout. (Checks come every
    150 ms, so a balancer that takes b1 out at its first failed check keeps it out for 300 ms at a
    time: long enough for requests to miss it even on a busy machine.)

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 150, "timeoutMs": 1000, "unhealthyThreshold": 3, "healthyThreshold": 1 } }
      """
    When backend b1 answers its next health checks with 503, 503, 200, 503, 503, 200, 503, 503
    And a client sends requests until backend b1 has answered 9 more health checks
    Then the requests were answered in rotation in the order b1, b2, b3
    And every request succeeded

  @task-03 @l7 @id:health-exactly-unhealthy-threshold-failed
  Scenario: Exactly the unhealthy threshold of failed checks in a row takes a backend out
    Three failed checks and then passing ones: with an unhealthy threshold of 3, b1 goes out after
    the third and comes back after the tenth pass, a second later. A balancer that needs one
    failure more never takes it out, and in rotation b1 answers one request in every three. The
    checks are counted where b1 answers them, so no timing is involved.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 1000, "unhealthyThreshold": 3, "healthyThreshold": 10 } }
      """
    When backend b1 answers its next health checks with 503, 503, 503
    And a client sends requests until backend b1 has answered 15 more health checks
    Then backend b1 was out of rotation for at least 6 requests in a row, and back in it afterwards
    And every request succeeded

  @task-03 @l7 @id:health-exactly-healthy-threshold-passed
  Scenario: Exactly the healthy threshold of passed checks in a row puts a backend back
    b1 is out, passes three checks and then fails again: with a healthy threshold of 3 it is back in
    rotation from the third pass until five failures take it out again, half a second later. A
    balancer that needs one pass more never lets it back.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 1000, "unhealthyThreshold": 5, "healthyThreshold": 3 } }
      """
    When backend b1 starts failing its health checks
    Then within 5 failed checks the balancer sends requests only to b2, b3
    When backend b1 answers its next health checks with 200, 200, 200
    And a client sends requests until backend b1 has answered 10 more health checks
    Then backend b1 answered at least 2 of those requests
    And every request succeeded

  @task-03 @l7 @id:health-passed-checks-fewer-healthy
  Scenario: Passed checks fewer than the healthy threshold in a row change nothing
    With a healthy threshold of 3, the pattern pass, pass, fail, pass, pass, fail, pass, pass never
    has three passes in a row: b1 stays out throughout. (Checks come every 150 ms, so a balancer
    that puts b1 back one pass early has it in rotation for 150 ms at a time: long enough for
    requests to reach it even on a busy machine.)

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 150, "timeoutMs": 1000, "unhealthyThreshold": 1, "healthyThreshold": 3 } }
      """
    When backend b1 starts failing its health checks
    Then within 1 failed check the balancer sends requests only to b2, b3
    When every request has finished and the backends' counts are reset
    And backend b1 answers its next health checks with 200, 200, 503, 200, 200, 503, 200, 200
    And a client sends requests until backend b1 has answered 9 more health checks
    Then backend b1 received no requests
    And every request succeeded

  @task-03 @l7 @id:health-check-answered-after-interval
  Scenario: A check answered after its interval but within its timeout passes
    b1 answers its checks 300 ms late, three intervals, well within the 1000 ms timeout: every check
    passes, and b1 stays in rotation. A balancer that takes the interval for the timeout fails
    them all.

    Given 3 HTTP backends
    And backend b1's health checks are answered after 300 ms
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 1000, "unhealthyThreshold": 1, "healthyThreshold": 1 } }
      """
    When a client sends requests until backend b1 has answered 5 more health checks
    Then the requests were answered in rotation in the order b1, b2, b3
    And every request succeeded

  @task-03 @l7 @health-check-timeouts @id:health-check-answered-after-timeout
  Scenario: A check answered after its timeout fails, however long the interval
    b1 answers its checks 250 ms late, past the 100 ms timeout though within the 400 ms interval.
    A balancer that takes the interval for the timeout passes them.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 400, "timeoutMs": 100, "unhealthyThreshold": 2, "healthyThreshold": 1 } }
      """
    When backend b1's health checks are answered after 250 ms
    Then within 2 failed checks the balancer sends requests only to b2, b3
    And every request succeeded

  @task-03 @l7 @id:health-check-gets-answer-fails
  Scenario: A health check that gets no answer fails after its timeout
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 100, "timeoutMs": 200, "unhealthyThreshold": 2 } }
      """
    When backend b1's health checks stop answering
    Then within 2 failed checks the balancer sends requests only to b2, b3
    And every request succeeded

  @task-03
  Scenario Outline: A killed <protocol> backend is taken out by its failed checks
    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "type": "<check>", "intervalMs": 100, "timeoutMs": 100, "unhealthyThreshold": 2 } }
      """
    When backend b1 is killed
    Then within 2 failed checks the balancer sends requests only to b2, b3
    When a client sends 30 requests one after another
    Then every request after that succeeded

    @l7 @id:health-killed-backend-taken-out-http
    Examples: HTTP
      | protocol | check |
      | HTTP     | http  |

    @l4 @tcp-health-checks @id:health-killed-backend-taken-out-tcp
    Examples: TCP
      | protocol | check |
      | TCP      | tcp   |

  @task-03 @l7 @tcp-health-checks @id:health-kept-per-pool
  Scenario: Health is kept per pool
    Two pools over the same backends check them differently: the first with GET /health, which b1
    now fails, the second by connecting, which b1 still passes. Only the first takes b1 out.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "type": "http", "intervalMs": 100, "timeoutMs": 100, "unhealthyThreshold": 2 } }
      """
    When the balancer gets a second listener "second" over the same backends, whose pool has:
      """
      { "healthCheck": { "type": "tcp", "intervalMs": 100, "timeoutMs": 100, "unhealthyThreshold": 2 } }
      """
    And backend b1 starts failing its health checks
    Then within 2 failed checks the balancer sends requests only to b2, b3
    And a client of listener "second" gets every answer, from each of b1, b2, b3

  @task-03 @l7 @initial-health-state @id:health-backend-starts-unhealthy-gets
  Scenario: A backend that starts unhealthy gets no traffic until its checks pass
    The checks run every 5 seconds, so only the initial state keeps b2 out: a balancer that starts
    it healthy would need 15 seconds of failed checks to take it out.

    Given 2 HTTP backends
    And backend b2 fails its health checks
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "healthCheck": { "intervalMs": 5000, "timeoutMs": 1000, "healthyThreshold": 1,
                         "unhealthyThreshold": 3, "initialState": "unhealthy" } }
      """
    When a client sends 20 requests one after another once the pool answers
    Then backend b2 received no requests
    And every request succeeded

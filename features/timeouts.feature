@timeouts @round-robin
Feature: Timeouts
  A pool's "timeouts" bound each attempt at a backend: connectMs to connect, responseMs from sending
  the request to the answer's headers. A backend that cannot be connected to, or does not answer,
  in time gets the client a 504 (Gateway Timeout), never a hang; the answer comes no sooner than the
  timeout and no later than the timeout plus a slack for a busy machine (500 ms x LBSPEC_TIME_SCALE).

  A backend that "accepts no connections" is a paused process whose accept queue the scenario has
  filled: the kernel drops further connection attempts, as with an overloaded or unreachable host.

  @task-15 @l7 @id:timeout-backend-never-answers-gets
  Scenario: A backend that never answers gets the client a 504 within the response timeout
    Given 2 HTTP backends
    And backend b1 never answers
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "responseMs": 300 } }
      """
    When a client sends 4 requests one after another
    Then exactly 2 requests were answered with status 504, each within the response timeout
    And every request not answered with status 504 succeeded

  @task-15 @l7 @connect-timeout @id:timeout-backend-cannot-connected-gets
  Scenario: A backend that cannot be connected to gets the client a 504 within the connect timeout
    Given 2 HTTP backends
    And backend b1 accepts no connections
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "connectMs": 300, "responseMs": 10000 } }
      """
    When a client sends 4 requests one after another
    Then exactly 2 requests were answered with status 504, each within the connect timeout
    And every request not answered with status 504 succeeded

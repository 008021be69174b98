@robustness @l7
Feature: Faulty backends
  A backend may break off an answer, promise more than it sends, answer with something that is not
  HTTP, or stop sending in the middle. The client then gets a well-formed error, and the balancer
  stays up for the next request. Before the answer's head has gone to the client, that error is a
  502. After it, the only honest signal left is to break the client's answer off too: its
  connection is closed before the end its framing promised (short of its Content-Length, or
  without the last chunk), never ended as if the answer were whole. A backend that sends nothing
  for the pool's response timeout in the middle of a body is cut off the same way.

  The backend spoils its answers on the wire, byte for byte, as each request asks it to.

  @task-15 @backend-faults
  Scenario: Answers a backend spoils reach the client as errors, never as whole answers
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    Then requests whose answers the backend spoils end like this:
      | fault            | the client gets     |
      | reset-mid-body   | a broken-off answer |
      | truncate-body    | a broken-off answer |
      | truncate-chunked | a broken-off answer |
      | bad-status-line  | 502                 |
      | huge-headers     | 502                 |
    And a client sends 3 requests one after another
    And every request succeeded

  @task-15 @timeouts
  Scenario: A backend that stops sending in the middle of an answer is cut off within the response timeout
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "responseMs": 1000 } }
      """
    Then a request whose answer stalls after 100 of 1000 bytes is broken off within the response timeout

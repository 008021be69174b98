@robustness @l7
Feature: Faulty backends
  A backend may break off an answer, promise more than it sends, answer with something that is not
  HTTP, or stop sending in the middle. The client then gets a well-formed error, and the balancer
  stays up for the next request. Before the answer's head has gone to the client, that error is a
  502. After it, the only honest signal left is to break the client's answer off too: its
  connection is closed before the end its framing promised (short of its Content-Length, or
  without the last chunk), never ended as if the answer were whole. A backend that sends nothing
  for the pool's response timeout in the middle of a body is cut off the same way.

  A backend may close a kept-alive connection just as a request goes out on it (RFC 9112 9.3.1). The
  backend has not failed, and the request may not have been read: an idempotent one (GET, HEAD,
  OPTIONS, TRACE, PUT, DELETE) whose body can be sent again is sent once more on a new connection,
  whatever the retry policy; any other request gets 502, since the backend may have acted on it.

  The backend spoils its answers on the wire, byte for byte, as each request asks it to. How large
  an answer head a balancer accepts is its own choice (16 KiB for node, 10 MB for Go's client) until
  the config can state it, so no check here relies on one.

  @task-15 @backend-faults @id:faulty-answers-backend-spoils-reach
  Scenario: Answers a backend spoils reach the client as errors, never as whole answers
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    Then requests whose answers the backend spoils end like this:
      | fault            | the client gets     |
      | reset-mid-body   | a broken-off answer |
      | truncate-body    | a broken-off answer |
      | truncate-chunked | a broken-off answer |
    And a client sends 3 requests one after another
    And every request succeeded

  @task-15 @non-http-answers @id:faulty-answer-http-gets-client
  Scenario: An answer that is not HTTP gets the client a 502
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    Then requests whose answers the backend spoils end like this:
      | fault           | the client gets |
      | bad-status-line | 502             |
    And a client sends 3 requests one after another
    And every request succeeded

  @task-15 @timeouts @id:faulty-backend-stops-sending-middle
  Scenario: A backend that stops sending in the middle of an answer is cut off within the response timeout
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "responseMs": 1000 } }
      """
    Then a request whose answer stalls after 100 of 1000 bytes is broken off within the response timeout

  @task-15 @keep-alive-races @id:faulty-get-lost-connection-backend
  Scenario: A GET lost on a connection the backend closed is sent again, and the client never knows
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends 10 GET requests one after another, each of which the backend drops if it comes on a kept-alive connection
    Then every request succeeded

  @task-15 @keep-alive-races @id:faulty-post-lost-connection-backend
  Scenario: A POST lost on a connection the backend closed is not sent again
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends 10 empty POST requests one after another, each of which the backend drops if it comes on a kept-alive connection
    Then exactly 5 requests were answered with status 502
    And every request not answered with status 502 succeeded
    And backend b1 counted exactly 10 requests arriving

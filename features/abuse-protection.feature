Feature: Defences against abusive clients
  A listener's "limits" protect it from clients that hold too many connections, send headers too
  slowly (slowloris), send headers or bodies too large, or sit idle; each defence leaves a
  well-behaved client alone. A connection past "maxConnectionsPerClient" for its address is closed
  at once, without an answer. Headers not all in within "headerTimeoutMs" get 408 and the
  connection closed (or just the close); a request whose body has not all arrived within
  "requestTimeoutMs" gets the same, and its copy on the way to a backend is abandoned, so a slow
  body holds no backend connection. Headers over "maxHeaderBytes" get 431; a body over
  "maxBodyBytes" gets 413. A connection idle for "idleTimeoutMs" is closed.

  Each client here has an address of its own on loopback.

  @task-10 @client-connection-limit
  Scenario Outline: A client holding its most connections gets no more, while others are served (<protocol>)
    Given 1 <protocol> backend
    And a balancer with a <protocol> listener using round_robin over all backends, with these client limits:
      """
      { "maxConnectionsPerClient": 4 }
      """
    When the client at 127.0.0.2 holds 4 connections open
    Then another connection from 127.0.0.2 is closed without an answer
    And a connection from 127.0.0.3 is answered
    When the client at 127.0.0.2 closes one of its connections
    Then a new connection from 127.0.0.2 is answered once that one is gone

    @l7 @id:abuse-client-holding-most-connections-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:abuse-client-holding-most-connections-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @task-10 @l7 @header-timeout @id:abuse-headers-never-finish-cut
  Scenario: Headers that never finish are cut off in time; slow but complete ones are served
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with these client limits:
      """
      { "headerTimeoutMs": 1000 }
      """
    When a client sends the headers of a request one byte every 50 ms, never finishing them
    Then the balancer answered it 408 or closed it within the header timeout
    And a client that sends a whole request's headers over 400 ms gets an answer

  @task-10 @l7 @request-timeout @id:abuse-body-never-finishes-cut
  Scenario: A body that never finishes is cut off in time and holds no backend connection
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with these client limits:
      """
      { "requestTimeoutMs": 1000 }
      """
    When a client sends the body of a POST one byte every 50 ms, never finishing it
    Then the balancer answered it 408 or closed it within the request timeout
    And backend b1 soon has no request in flight

  @task-10 @l7 @size-limits @id:abuse-headers-bodies-over-limits
  Scenario: Headers and bodies over their limits are refused; those within are served
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with these client limits:
      """
      { "maxHeaderBytes": 8192, "maxBodyBytes": 1048576 }
      """
    Then a request with a header of 12288 bytes is answered 431, and reaches no backend
    And a request with a header of 4096 bytes is answered 200
    And a POST of 2097152 bytes with a Content-Length is answered 413
    And a POST of 2097152 bytes chunked is answered 413
    And a POST of 524288 bytes with a Content-Length is answered 200
    And a POST of 524288 bytes chunked is answered 200

  @task-10 @l7 @idle-timeout @id:abuse-idle-connection-closed-after
  Scenario: An idle connection is closed after the idle timeout
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with these client limits:
      """
      { "idleTimeoutMs": 1000 }
      """
    Then a kept-alive connection left idle after an answer is closed within the idle timeout, and not sooner

  @task-10 @l7 @idle-timeout @idle-before-first-byte
  Scenario Outline: A connection that never sends a byte is closed after the idle timeout (<listener>)
    A listener that serves HTTP/2 with prior knowledge beside HTTP/1.1 has to wait for a client's
    first bytes to tell which it speaks: that wait is idle too, and ends with the idle timeout.
    Given 1 HTTP backend
    And a balancer with <listener> using round_robin over all backends, with these client limits:
      """
      { "idleTimeoutMs": 1000 }
      """
    Then a connection that sends nothing is closed within the idle timeout, and not sooner

    @id:abuse-silent-connection-closed-http1
    Examples: HTTP/1.1
      | listener         |
      | an HTTP listener |

    @h2c @id:abuse-silent-connection-closed-h2c
    Examples: HTTP/2 with prior knowledge beside HTTP/1.1
      | listener                         |
      | an HTTP listener speaking HTTP/2 |

@round-robin @task-01
Feature: Round robin
  A pool using round_robin hands work to its backends in strict rotation, in the order the config
  lists them. Over HTTP each request is one balancing decision; over TCP each connection is one
  (a TCP "request" below is a whole conversation: connect, read the backend's greeting, half-close,
  read until the balancer closes). Round robin is deterministic, so the checks are exact: k x N
  requests give each of N backends exactly k.

  Scenario Outline: Sequential <protocol> requests are spread exactly evenly
    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using round_robin over all backends
    When a client sends 30 requests one after another
    Then every request succeeded
    And each backend received exactly 10 requests

    @l7 @id:rr-sequential-requests-spread-exactly-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:rr-sequential-requests-spread-exactly-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @l7 @id:rr-clients-connections-own-share
  Scenario: Clients on connections of their own share one rotation
    Three clients take turns, each keeping its own connection: the pool has one rotation, so the
    requests still reach the backends in turn. A rotation kept per connection would send each
    client's first request to b1, its second to b2, and so on.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends
    When 3 clients take turns sending 12 requests, each client on a connection of its own
    Then every request succeeded
    And the requests were answered in rotation in the order b1, b2, b3

  @l7 @id:rr-requests-new-connection-share
  Scenario: Requests each on a new connection share one rotation
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends 12 requests one after another, each on a new connection
    Then every request succeeded
    And the requests were answered in rotation in the order b1, b2, b3

  Scenario Outline: <protocol> requests rotate in the order the config lists the backends
    Given <protocol> backends b1, b2, b3, b4
    And a balancer with a <protocol> listener using round_robin over b3, b1, b4, b2
    When a client sends 12 requests one after another
    Then every request succeeded
    And the requests were answered in rotation in the order b3, b1, b4, b2

    @l7 @id:rr-requests-rotate-order-config-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:rr-requests-rotate-order-config-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  Scenario Outline: Concurrent <protocol> clients are still spread exactly evenly
    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using round_robin over all backends
    When 4 clients each send 30 requests at the same time
    Then every request succeeded
    And each backend received exactly 40 requests

    @l7 @id:rr-concurrent-clients-still-spread-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:rr-concurrent-clients-still-spread-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  Scenario Outline: A pool of one <protocol> backend gets every request
    Given 1 <protocol> backend
    And a balancer with a <protocol> listener using round_robin over all backends
    When a client sends 10 requests one after another
    Then every request succeeded
    And each backend received exactly 10 requests

    @l7 @id:rr-pool-backend-gets-request-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:rr-pool-backend-gets-request-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  Scenario Outline: A stopped <protocol> backend is never a silent success
    The client may see an error or be served by another backend, as the balancer chooses; it must
    never get a success that no running backend produced, and the running backends keep their share.

    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using round_robin over all backends
    When backend b2 is stopped
    And a client sends 30 requests one after another
    Then every request was answered by a running backend or failed visibly
    And each running backend received at least 10 requests

    @l7 @id:rr-stopped-backend-never-silent-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:rr-stopped-backend-never-silent-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  Scenario Outline: Changing the <protocol> pool at runtime rotates over its new backends only
    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using round_robin over b1, b2
    When the balancer is reconfigured to use round_robin over b2, b3
    And a client sends 12 requests one after another
    Then every request succeeded
    And backends b2, b3 each received exactly 6 requests
    And backend b1 received no requests

    @l7 @id:rr-changing-pool-runtime-rotates-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:rr-changing-pool-runtime-rotates-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @l4 @id:rr-tcp-connection-carries-data
  Scenario: A TCP connection carries data both ways across a half-close
    The backend answers only after the client has half-closed, as a server does that reads a whole
    request before it replies; the balancer must keep the other direction open for that answer.

    Given 1 TCP backend
    And backend b1 delays its answers by 200 ms
    And a balancer with a TCP listener using round_robin over all backends
    When a TCP client sends 200000 bytes and then half-closes
    Then the TCP client received all bytes back in order and then the end of the stream

  @l4 @id:rr-reset-either-side-tcp
  Scenario: A reset on either side of a TCP connection reaches the other side
    A client that resets its connection leaves the backend nothing to hold open, and a backend that
    resets leaves the client nothing to wait for: the balancer closes or resets the other side. A
    balancer that closes only the side that failed keeps a backend connection open for a client long
    gone, and keeps the client waiting for an answer that cannot come.

    Given 1 TCP backend
    And a balancer with a TCP listener using round_robin over all backends
    When a TCP client reads the greeting and then resets its connection
    Then backend b1 soon has no connection open
    When backend b1 resets every connection
    And a TCP client connects and waits for its connection to end
    Then the balancer ended the client's connection, closing or resetting it

  @l4 @id:rr-tcp-client-reads-nothing
  Scenario: A TCP client that reads nothing holds the backend back, in bounded balancer memory
    The client sends 200 MB to an echoing backend and reads nothing until its own bytes stop
    moving. A balancer that honours backpressure stops reading from the backend while the client
    reads nothing, and from the client while the backend reads nothing, so it holds no more than
    its socket buffers; one that does not takes the whole echo into its memory. (Read buffers are
    garbage once written, and a garbage collector may leave tens of MB of them until it runs:
    hence a bound of half the payload.)

    Given 1 TCP backend
    And a balancer with a TCP listener using round_robin over all backends
    When a TCP client sends 200 MB to the echo and reads nothing until the balancer holds it back
    Then the client received exactly those bytes
    And the balancer's memory grew by less than 100 MB meanwhile

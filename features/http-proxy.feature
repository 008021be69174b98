@l7
Feature: A correct HTTP/1.1 proxy
  Requests pass through with their end-to-end headers; headers about a single connection
  (RFC 9110 7.6.1: Connection and every header it names, Keep-Alive, TE, Trailer, Upgrade unless
  upgrading, and Proxy-Authorization, which is for the proxy) stop at the balancer. The balancer may
  send such headers of its own on its own connection (a proxy that accepts trailers may send
  "TE: trailers" upstream, RFC 9110 10.1.4), so the checks look for the client's values, not the
  names. The balancer tells the backend who the client was: the last element of X-Forwarded-For is
  the client's address as its own socket saw it, whatever chain the client sent; X-Forwarded-Proto
  is the listener's scheme and X-Forwarded-Host the Host the client asked for. Whether a chain sent
  by a client is kept in front of that address (nginx, HAProxy, Envoy) or dropped (Caddy, for
  clients outside its trusted proxies) is a capability of its own. Host is passed on as the client
  sent it. A backend that fails before answering gets the client a 502 (Bad Gateway) when it
refused or reset the connection, and a 504 when it did not answer in time.

  @task-06 @forwarded-headers @id:proxy-backend-learns-client-address
  Scenario: The backend learns the client's address, scheme and host
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a request with these headers:
      | Host            | app.example |
      | X-Forwarded-For | 203.0.113.7 |
    Then the backend received header "X-Forwarded-For" ending with "127.0.0.1"
    And the backend received header "X-Forwarded-Proto" as "http"
    And the backend received header "X-Forwarded-Host" as "app.example"
    And the backend received header "Host" as "app.example"

  @task-06 @forwarded-for-chain @id:proxy-client-x-forwarded-for-chain-kept
  Scenario: A client's X-Forwarded-For chain is kept, with the client's address appended
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a request with these headers:
      | Host            | app.example               |
      | X-Forwarded-For | 203.0.113.7, 198.51.100.2 |
    Then the backend received header "X-Forwarded-For" as "203.0.113.7, 198.51.100.2, 127.0.0.1"

  @task-06 @forwarded-headers @id:proxy-connection-header-cannot-take
  Scenario: A Connection header cannot take away the forwarding headers the balancer adds
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a request with these headers:
      | Host            | app.example                                                 |
      | X-Forwarded-For | 203.0.113.7                                                 |
      | Connection      | close, X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host |
    Then the backend received header "X-Forwarded-For" ending with "127.0.0.1"
    And the backend received header "X-Forwarded-Proto" as "http"
    And the backend received header "X-Forwarded-Host" as "app.example"

  @task-06 @hop-by-hop-headers @id:proxy-hop-by-hop-headers-stop-balancer
  Scenario: Hop-by-hop headers stop at the balancer; end-to-end ones go through
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a request with these headers:
      | Connection          | close, X-Hop-Secret |
      | X-Hop-Secret        | hop-7f3a            |
      | Keep-Alive          | timeout=7, max=93   |
      | TE                  | gzip                |
      | Proxy-Authorization | Basic dXNlcjpwYXNz  |
      | X-End-To-End        | kept                |
    Then the backend received header "X-End-To-End" as "kept"
    And the backend received none of the client's values of "X-Hop-Secret, Keep-Alive, TE, Proxy-Authorization"

  @task-06 @id:proxy-request-target-reaches-backend
  Scenario: The request target reaches the backend byte for byte, query string and encoding included
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client requests "/search/a%2Fb?q=caf%C3%A9%20au+lait&empty=&x=%2F"
    Then the backend received the request target "/search/a%2Fb?q=caf%C3%A9%20au+lait&empty=&x=%2F"

  @task-06 @id:proxy-method-status-passes-through
  Scenario: Every method and status passes through, and an answer to HEAD has no body
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    Then requests pass through like this:
      | method  | status | body     |
      | GET     | 200    | the echo |
      | HEAD    | 200    | none     |
      | POST    | 201    | the echo |
      | PUT     | 204    | none     |
      | PATCH   | 409    | the echo |
      | DELETE  | 404    | the echo |
      | OPTIONS | 200    | the echo |
      | GET     | 418    | the echo |
      | GET     | 500    | the echo |
      | POST    | 503    | the echo |

  @task-06 @id:proxy-client-expects-100-continue
  Scenario: A client that expects 100 Continue gets it, and its body reaches the backend
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a POST of 65536 bytes with Expect: 100-continue
    Then the client got 100 Continue before sending its body, and the backend received all 65536 bytes

  @task-06 @streaming
  Scenario Outline: 100 MB go up and down intact, in bounded balancer memory (<framing>)
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client uploads 100 MB <framing>
    Then the backend received exactly those bytes
    And the balancer's memory grew by less than 100 MB meanwhile
    When a client downloads 100 MB <framing>
    Then the client received exactly those bytes
    And the balancer's memory grew by less than 100 MB meanwhile

    @id:proxy-100-mb-go-up-content-length
    Examples: with a Content-Length
      | framing            |
      | with a Content-Length |

    @id:proxy-100-mb-go-up-chunked
    Examples: chunked
      | framing            |
      | chunked            |

  @task-06 @streaming
  Scenario Outline: A client that reads nothing holds the backend back, in bounded balancer memory (<framing>)
    The client asks for 200 MB and reads nothing of the body until the balancer's memory stops
    growing. A balancer that honours backpressure stops reading from the backend while the client
    cannot take more, so it holds no more than its buffers; one that does not takes the whole body
    into its memory. (Read buffers are garbage once written, and a garbage collector may leave tens
    of MB of them until it runs: hence a bound of half the body.)
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client downloads 200 MB <framing>, reading nothing until the balancer holds it back
    Then the client received exactly those bytes
    And the balancer's memory grew by less than 100 MB meanwhile

    @id:proxy-slow-reader-held-back-content-length
    Examples: with a Content-Length
      | framing               |
      | with a Content-Length |

    @id:proxy-slow-reader-held-back-chunked
    Examples: chunked
      | framing |
      | chunked |

  @task-06 @keep-alive @id:proxy-client-requests-share-connection
  Scenario: A client's requests share one connection, and the balancer reuses its connection to the backend
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends 50 requests one after another on one connection
    Then every request on it succeeded over 1 connection
    And backend b1 accepted at most 2 connections for them

  @task-06 @bad-gateway @round-robin @id:proxy-backend-resets-refuses-connection
  Scenario: A backend that resets or refuses the connection gets the client a 502
    Given 3 HTTP backends
    And backend b1 resets every connection
    And a balancer with an HTTP listener using round_robin over all backends
    When backend b2 is stopped
    And a client sends 9 requests one after another
    Then exactly 6 requests were answered with status 502
    And every request not answered with status 502 succeeded

  @task-06 @websocket @id:proxy-websocket-proxied-end-end
  Scenario: A WebSocket is proxied end to end
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a WebSocket client sends the messages "hello, world, bye"
    Then it got the replies "b1: hello, b1: world, b1: bye"

  @task-06 @websocket @id:proxy-backend-speaks-first-websocket
  Scenario: A backend that speaks first on a WebSocket is heard
    The backend sends its greeting in the same write as its 101, as RFC 6455 lets a server speak
    as soon as it has answered the handshake. A balancer that reads the 101 and drops whatever came
    with it loses the greeting. (The client waits for the 101 before it sends, as RFC 6455 4.1
    requires of it, so what a client sends early is not checked.)

    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a WebSocket client greeted by the backend sends the messages "hello, bye"
    Then it got the replies "b1: welcome, b1: hello, b1: bye"

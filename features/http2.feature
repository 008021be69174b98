@task-06 @l7 @http2 @round-robin
Feature: HTTP/2 from clients
  A listener with "http2" speaks HTTP/2 to the clients that ask for it, beside HTTP/1.1: with TLS,
  to a client whose ALPN offers "h2"; without, to a client that opens with the HTTP/2 preface
  (prior knowledge). Backends still get HTTP/1.1.

  One HTTP/2 connection carries many requests at once, each on a stream of its own, and each is
  balanced on its own: a balancer that picks a backend per connection, as a layer 4 balancer must,
  sends a client's every request to one backend. Round robin over one connection is therefore
  checked here exactly, as over HTTP/1.1.

  On the way to an HTTP/1.1 backend a request's :authority becomes its Host, and Cookie fields,
  which HTTP/2 lets a client split, are joined into one with "; " (RFC 9113 8.2.3). Routing sees
  the :authority as it sees Host.

  @h2-over-tls @tls-termination @id:h2-streams-balanced-per-request
  Scenario: Requests on one HTTP/2 connection over TLS are balanced one by one
    Given 3 HTTP backends
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client sends 30 requests over one HTTP/2 connection, 5 at a time
    Then every request succeeded
    And each backend received exactly 10 requests

  @h2c @id:h2c-beside-http1
  Scenario: Without TLS, HTTP/2 with prior knowledge and HTTP/1.1 share the listener
    Given 2 HTTP backends
    And a balancer with an HTTP listener speaking HTTP/2 using round_robin over all backends
    When a client sends 20 requests over one HTTP/2 connection, 4 at a time
    Then every request succeeded
    And each backend received exactly 10 requests
    And an HTTP/1.1 client is served on the same listener

  @h2-over-tls @tls-termination @forwarded-headers @id:h2-request-as-http1-upstream
  Scenario: The backend gets :authority as Host and split cookie fields as one Cookie
    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client sends a request over HTTP/2 for "app.example" with the cookie fields "session=abc" and "theme=dark"
    Then the backend received exactly one "Cookie" field, "session=abc; theme=dark"
    And the backend received header "Host" as "app.example"
    And the backend received header "X-Forwarded-For" ending with "127.0.0.1"

  @h2-over-tls @tls-termination @forwarded-headers @id:h2-backend-learns-https
  Scenario: Over HTTP/2 with TLS, the backend learns the scheme was https
    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client sends a request over HTTP/2 with header "X-Forwarded-Proto: http"
    Then the backend received header "X-Forwarded-Proto" as "https"

  @h2-over-tls @tls-termination @routing @id:h2-routed-by-authority
  Scenario: Streams of one connection are routed each by its own :authority and path
    Given 3 HTTP backends
    And a balancer with an HTTPS listener speaking HTTP/2, routing to a pool per backend like this:
      """
      { "routes": [{ "name": "shop", "pool": "b1", "match": { "host": "shop.example" } },
                   { "name": "api", "pool": "b2", "match": { "host": "*.api.example" } },
                   { "name": "images", "pool": "b3", "match": { "host": "shop.example", "path": { "prefix": "/images" } } }] }
      """
    Then requests over one HTTP/2 connection are routed like this:
      | host          | target         | to  |
      | shop.example  | /              | b1  |
      | eu.api.example | /v1/orders    | b2  |
      | shop.example  | /images/a.png  | b3  |
      | other.example | /              | 404 |
      | shop.example  | /cart          | b1  |

@l7
Feature: A correct HTTP/1.1 proxy
  Requests pass through with their end-to-end headers; headers about a single connection
  (RFC 9110 7.6.1: Connection and every header it names, Keep-Alive, TE, Trailer, Upgrade unless
  upgrading, and Proxy-Authorization, which is for the proxy) stop at the balancer. The balancer
  tells the backend who the client was: it appends the client's address, as its own socket saw it,
  to X-Forwarded-For (keeping the chain the client sent), and sets X-Forwarded-Proto to the
  listener's scheme and X-Forwarded-Host to the Host the client asked for. Host is passed on as the
  client sent it.

  @task-06 @forwarded-headers
  Scenario: The backend learns the client's address, scheme and host
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a request with these headers:
      | Host            | app.example |
      | X-Forwarded-For | 203.0.113.7 |
    Then the backend received header "X-Forwarded-For" as "203.0.113.7, 127.0.0.1"
    And the backend received header "X-Forwarded-Proto" as "http"
    And the backend received header "X-Forwarded-Host" as "app.example"
    And the backend received header "Host" as "app.example"

  @task-06 @hop-by-hop-headers
  Scenario: Hop-by-hop headers stop at the balancer; end-to-end ones go through
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client sends a request with these headers:
      | Connection          | close, X-Hop-Secret |
      | X-Hop-Secret        | 1                   |
      | Keep-Alive          | timeout=5           |
      | TE                  | trailers            |
      | Proxy-Authorization | Basic dXNlcjpwYXNz  |
      | X-End-To-End        | kept                |
    Then the backend received header "X-End-To-End" as "kept"
    And the backend received none of the headers "X-Hop-Secret, Keep-Alive, TE, Proxy-Authorization"

  @task-06
  Scenario: The request target reaches the backend byte for byte, query string and encoding included
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    When a client requests "/search/a%2Fb?q=caf%C3%A9%20au+lait&empty=&x=%2F"
    Then the backend received the request target "/search/a%2Fb?q=caf%C3%A9%20au+lait&empty=&x=%2F"

@l7 @sticky-sessions @sticky-cookie-attributes @round-robin
Feature: The attributes of the affinity cookie
  The cookie a pool with "stickySession" sets carries the attributes the config gives it: Path
  ("path", default "/"), HttpOnly ("httpOnly", default true), SameSite ("sameSite", default Lax,
  with Secure when None) and Max-Age ("maxAgeSeconds"; absent: a session cookie, without Max-Age
  or Expires).

  @task-08 @id:cookie-carries-attributes-config-gives
  Scenario: The cookie carries the attributes the config gives it
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares",
                           "path": "/app", "httpOnly": false, "sameSite": "Strict", "maxAgeSeconds": 600 } }
      """
    When a client sends 1 request one after another, returning the cookie it is given
    Then the first answer set the cookie "lb" with "Path=/app; Max-Age=600; SameSite=Strict"
    And the first answer's cookie has none of the attributes "HttpOnly, Expires"

  @task-08 @id:cookie-without-attributes-session-path
  Scenario: Without attributes the cookie is a session cookie with Path=/, HttpOnly and SameSite=Lax
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" } }
      """
    When a client sends 1 request one after another, returning the cookie it is given
    Then the first answer set the cookie "lb" with "Path=/; HttpOnly; SameSite=Lax"
    And the first answer's cookie has none of the attributes "Max-Age, Expires"

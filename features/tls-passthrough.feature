@task-04 @l4 @tls @tls-passthrough
Feature: TLS passthrough by server name
  A TCP listener with "sniRoutes" reads the server name a client asks for (SNI) from its TLS
  ClientHello, without taking part in the handshake, and relays the connection, bytes untouched,
  to the pool of the first route naming it; a wildcard stands for one label. A connection that
  asks for no name, or one no route has, goes to the listener's pool.

  The backends here serve HTTPS themselves, with the run's certificate for localhost: a client that
  completes the handshake and finds its own server name in the backend's record of it was
  answered by that backend's TLS, not the balancer's (which has no certificate at all).

  @id:tls-passthrough-by-server-name
  Scenario: Each connection reaches the pool its server name routes to, the default otherwise
    Given 3 HTTPS backends
    And a balancer with a TCP listener passing TLS through to a pool per backend like this:
      """
      { "sniRoutes": [ { "serverNames": ["a.test"], "pool": "b1" },
                       { "serverNames": ["*.b.test"], "pool": "b2" } ],
        "pool": "b3" }
      """
    Then a client asking for "a.test" is answered by backend b1, over its own certificate
    And a client asking for "x.b.test" is answered by backend b2, over its own certificate
    And a client asking for "b.test" is answered by backend b3, over its own certificate
    And a client asking for "y.x.b.test" is answered by backend b3, over its own certificate
    And a client asking for "(no name)" is answered by backend b3, over its own certificate

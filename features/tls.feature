@task-06 @l7 @tls @tls-termination @round-robin
Feature: TLS termination
  A listener with "tls" speaks HTTPS to its clients, with the certificate and key its config gives,
  and plain HTTP/1.1 to its backends, which learn the scheme from X-Forwarded-Proto. It accepts
  TLS 1.2 and 1.3, or 1.3 alone when "minVersion" says so; a client below the minimum fails the
  handshake and nothing of it reaches a backend.

  Over ALPN the listener may select "http/1.1", the one protocol it speaks, or nothing (a server
  that ignores ALPN is allowed, RFC 7301 3.2); it never selects a protocol it would not speak.

  Each run makes a CA of its own and a certificate for localhost and 127.0.0.1 signed by it; the
  clients here trust that CA alone and check the name, so a handshake that passes shows the
  balancer sent the configured certificate. Nothing private is kept in the repository.

  @id:tls-client-versions-served
  Scenario: TLS 1.2 and TLS 1.3 clients are served with the configured certificate
    Given 2 HTTP backends
    And a balancer with an HTTPS listener using round_robin over all backends
    Then a client offering only TLS 1.2 is served, with the run's certificate for localhost
    And a client offering only TLS 1.3 is served, with the run's certificate for localhost

  @id:tls-below-minimum-refused
  Scenario: A client below the minimum version fails the handshake and reaches no backend
    Given 2 HTTP backends
    And a balancer with an HTTPS listener using round_robin over all backends, whose TLS settings are:
      """
      { "minVersion": "TLSv1.3" }
      """
    Then a client offering only TLS 1.2 fails the handshake
    And no backend received any request
    And a client offering only TLS 1.3 is served, with the run's certificate for localhost

  @id:tls-alpn-never-unspoken
  Scenario: ALPN selects HTTP/1.1 or nothing, never a protocol the listener does not speak
    Given 1 HTTP backend
    And a balancer with an HTTPS listener using round_robin over all backends
    Then a client offering ALPN "h2, http/1.1" is served, with "http/1.1" or no protocol selected
    And a client offering ALPN "h2" alone gets no protocol selected, or fails the handshake

  @forwarded-headers @id:tls-backend-learns-https
  Scenario: The backend learns the scheme was https, whatever the client claimed
    Given 1 HTTP backend
    And a balancer with an HTTPS listener using round_robin over all backends
    When a client sends a request over TLS with header "X-Forwarded-Proto: http"
    Then the backend received header "X-Forwarded-Proto" as "https"

  @tls-sni @id:tls-certificate-by-server-name
  Scenario: The certificate is the one for the name the client asks for, the default one otherwise
    A wildcard stands for one label: "*.b.test" is for x.b.test, neither for b.test nor y.x.b.test.

    Given 1 HTTP backend
    And a balancer with an HTTPS listener using round_robin over all backends, with certificates for "a.test, *.b.test" besides its default one
    Then a client asking for "a.test" is given the certificate for "a.test"
    And a client asking for "x.b.test" is given the certificate for "*.b.test"
    And a client asking for "localhost" is given the certificate for "localhost"
    And a client asking for "b.test" is given the certificate for "localhost"
    And a client asking for "y.x.b.test" is given the certificate for "localhost"

  @tls-sni @routing @id:tls-certificate-and-route-per-name
  Scenario: Each name is given its certificate, and each request is routed by its Host whatever name the handshake asked for
    The server name chooses the certificate; routes match the request's Host, as over plain HTTP.
    A client may send a request for another name on a connection it opened for one (RFC 9110 7.4):
    the balancer routes it by its Host, or refuses it with 421 Misdirected Request (RFC 9110 15.5.20).

    Given 2 HTTP backends
    And a balancer with an HTTPS listener routing to a pool per backend like this, with certificates for "a.test, b.test":
      """
      { "routes": [{ "name": "a", "pool": "b1", "match": { "host": "a.test" } },
                   { "name": "b", "pool": "b2", "match": { "host": "b.test" } }] }
      """
    Then a client asking for "a.test" is given the certificate for "a.test" and answered by b1
    And a client asking for "b.test" is given the certificate for "b.test" and answered by b2
    And a client asking for "a.test" with Host "b.test" is answered by b2, or refused with 421

  @id:tls-certificate-renewed-by-reload
  Scenario: A certificate renewed by a reload is the one new clients are given
    Given 1 HTTP backend
    And a balancer with an HTTPS listener using round_robin over all backends
    When the listener's certificate is renewed by a reload
    Then a new client is given the renewed certificate

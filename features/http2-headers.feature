@task-06 @l7 @http2 @security @h2-over-tls @tls-termination @round-robin
Feature: HTTP/2 header blocks too large to decode, or that never end
  HPACK (RFC 7541) lets a client name a field it sent before by its index, in one byte: a header
  block of a few kilobytes can decode to megabytes (an HPACK bomb). A listener must bound a
  request's header list as decoded (name + value + 32 octets per field, RFC 9113 6.5.2): by
  "limits.maxHeaderBytes" when the listener has it, by a bound of its own, at most 1 MiB, when
  not. A header block may also be sent in any number of CONTINUATION frames; one that never ends
  (CVE-2024-27316) must be cut off, not held. Either way the request is refused (its stream reset,
  GOAWAY, the connection closed, or a 4xx answer such as 431) and reaches no backend.

  The client here writes frames by hand, as an attacker's would be. The backends take headers of
  any size, so whatever a balancer lets through is counted.

  @h2-header-limits @id:h2-hpack-bomb-refused
  Scenario: A header block that decodes to megabytes is refused (HPACK bomb)
    A 4000-byte field, then 1000 one-byte references to it: about 5 KB on the wire, 4 MB decoded.

    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client sends an HTTP/2 request with a field of 4000 bytes named 1000 more times by its index
    Then the balancer refused it: reset its stream, sent GOAWAY, closed the connection or answered 4xx
    And it reached no backend
    And a new HTTP/2 connection is served

  @h2-header-limits @size-limits @id:h2-header-list-over-limit-refused
  Scenario: maxHeaderBytes bounds an HTTP/2 request's header list as decoded, not as sent
    The refused request is 4 KB on the wire and 12 KB decoded; the one served is 4 KB either way.

    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, with these client limits:
      """
      { "maxHeaderBytes": 8192 }
      """
    When a client sends an HTTP/2 request with a field of 4000 bytes named 2 more times by its index
    Then the balancer refused it: reset its stream, sent GOAWAY, closed the connection or answered 4xx
    And it reached no backend
    And an HTTP/2 request with a field of 4000 bytes named 0 more times by its index is answered 200

  @h2-continuation-limit @id:h2-continuation-flood-cut
  Scenario: A header block that never ends is cut off (CONTINUATION flood)
    The client opens a request and sends CONTINUATION frames of new fields, 16 KiB each, without
    END_HEADERS. The balancer must cut it off before the client has sent 64 MiB, and hold less than
    half of that meanwhile.

    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client opens an HTTP/2 request and sends header fields in CONTINUATION frames that never end it
    Then the balancer cut the header block off: reset its stream, sent GOAWAY or closed the connection
    And the balancer's memory grew by less than 32 MB while the header block came in
    And it reached no backend
    And a new HTTP/2 connection is served

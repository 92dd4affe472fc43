package io.callbridge.flow.ping;

import java.util.Map;

/**
 * A validated ping: the caller id in E.164 (the bid's {@code CID} must match it), TrackDrive's
 * call ids (either may be empty when not required), every inbound field for the templates, and
 * the ping shield's key (route, caller id and the tag set; empty when the route has no shield).
 */
record PingRequest(String callerId, String callUuid, String subdomain, Map<String, Object> fields, String shieldKey)
    implements PingInput.Parsed {}

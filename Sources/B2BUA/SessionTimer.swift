import SIPMessage

/// RFC 4028 session timers as Palisade sees them: it relays Session-Expires and Min-SE end to
/// end (`HeaderPolicy`), refreshes (re-INVITE, UPDATE) like any request within the dialog, and
/// 422 like any failure; it only watches the interval each 2xx settles, so that a call whose
/// refreshes stopped — a peer gone without BYE — is torn down rather than left holding media.
public enum SessionTimer {
    /// §4: `Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)`:
    /// the interval in seconds a 2xx to INVITE or UPDATE settles, nil without one (no session
    /// timer, or none any more after a refresh that dropped it) or when it is not a number.
    ///
    /// §10: Palisade is neither the refresher nor the UA that must send BYE first (that one
    /// sends it up to 32 s early); it waits the whole interval, so either end's own BYE comes
    /// first when they do their part.
    public static func interval(of message: SIPMessage) -> Int? {
        guard let value = message["Session-Expires"] ?? message["x"] else { return nil }
        let delta = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
        guard let seconds = Int(delta), seconds > 0 else { return nil }
        return seconds
    }

}

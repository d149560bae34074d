extension SRTPContext {
    /// A protected copy of `packet` (RTP, or RTCP with `rtcp`). It allocates: for tests, tools
    /// and the benchmark generator's setup, never for the relay's packet path, which works in place.
    public func protected(_ packet: [UInt8], rtcp: Bool = false) throws(SRTPError) -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: 64)
        var length = Int32(packet.count)
        // The typed-throws closure stays inside: passing one to a rethrows function crashes
        // Swift 6.3.1's IRGen.
        let failure = buffer.withUnsafeMutableBytes { raw -> SRTPError? in
            do throws(SRTPError) {
                if rtcp {
                    try protectRTCP(raw.baseAddress!, length: &length, capacity: raw.count)
                } else {
                    try protectRTP(raw.baseAddress!, length: &length, capacity: raw.count)
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return Array(buffer.prefix(Int(length)))
    }

    /// The verified, decrypted copy of `packet`, or nil when it does not authenticate (or is a replay).
    public func unprotected(_ packet: [UInt8], rtcp: Bool = false) -> [UInt8]? {
        var buffer = packet
        var length = Int32(packet.count)
        let ok = buffer.withUnsafeMutableBytes { raw -> Bool in
            do throws(SRTPError) {
                if rtcp {
                    try unprotectRTCP(raw.baseAddress!, length: &length)
                } else {
                    try unprotectRTP(raw.baseAddress!, length: &length)
                }
                return true
            } catch {
                return false
            }
        }
        return ok ? Array(buffer.prefix(Int(length))) : nil
    }
}

// Any input: no crash, no hang. A description that parses prints back byte-identical and
// parses again to the same value; every typed accessor survives.
import SDP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard var sdp = try? SessionDescription(parsing: bytes) else { return 0 }
    precondition(sdp.printed == bytes, "untouched SDP must print byte-identical")
    precondition((try? SessionDescription(parsing: sdp.printed)) == sdp, "reparse must give the same SDP")
    _ = try? sdp.validate()
    _ = (sdp.origin, sdp.connection, try? sdp.attributes())
    for section in sdp.media {
        _ = (section.media, section.connection, section.direction, try? section.attributes())
        if let cryptos = try? section.cryptos() {
            for c in cryptos { precondition((try? SDPCrypto(c.description)) == c, "crypto must print and parse back") }
        }
    }
    if !sdp.media.isEmpty {
        sdp.media[0].setPort(40000)
        sdp.media[0].setConnection(SDPConnection(addressType: "IP4", address: "203.0.113.1"))
        sdp.media[0].removeAttributes(named: "crypto")
        precondition((try? SessionDescription(parsing: sdp.printed)) != nil, "an edited SDP must parse")
    }
    return 0
}

// SwiftPM links an executable with `main` bound to `FuzzSDP_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzSDP_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzSDP(data, size) }
}

// Any input: no crash, no hang. A message that parses prints back byte-identical, edits print
// something that parses again, and every typed accessor survives.
import SIPMessage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSIPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = checkSIPMessage(bytes)
    guard let message = try? SIPMessage(parsing: bytes) else { return 0 }
    _ = try? message.validate()
    _ = (message.requestURI, message.topVia, message.vias, message.from, message.to, message.contacts)
    _ = (message.routes, message.recordRoutes, message.cseq, message.maxForwards, message.callID)
    for via in message.vias { _ = (via.branch, via.rport, via.ttl, via.received, via.maddr) }
    for contact in message.contacts { _ = (contact.displayNameString, contact.tag, contact.uri.parameters.map(\.name)) }
    precondition(message.printed == Array(bytes[..<message.bodyRange.upperBound]), "untouched message must print byte-identical")
    var edited = message
    edited.prependHeader("Via", "SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKfuzz")
    if let contact = message.field(.contact) { edited.replaceValue(of: contact, with: "<sip:fuzz@203.0.113.1>") }
    edited.setBody(Array("v=0\r\n".utf8))
    // An edit may push a message past the limits (one more header): reparse without them.
    let unlimited = SIPLimits(maxMessageSize: .max, maxHeaderCount: .max)
    let reparsed = try? SIPMessage(parsing: edited.printed, limits: unlimited)
    precondition(reparsed?.contentLength == 5, "an edited message must parse with the right Content-Length")
    return 0
}

// SwiftPM links an executable with `main` bound to `FuzzSIPParser_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzSIPParser_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzSIPParser(data, size) }
}

// The first byte chooses a chunk size; the rest is the stream. No crash, no hang, and the
// framer never holds more than the limit plus one chunk.
import SIPMessage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStreamFramer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let chunk = Int(data[0]) + 1
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let limits = SIPLimits(maxMessageSize: 4096, maxHeaderCount: 32)
    var framer = SIPStreamFramer(limits: limits)
    var offset = 0
    var total = 0
    while offset < stream.count {
        let end = min(offset + chunk, stream.count)
        framer.append(stream[offset..<end])
        offset = end
        while let frame = framer.next() {
            switch frame {
            case .message(let bytes):
                total += bytes.count
                precondition(bytes.count <= limits.maxMessageSize, "framed message beyond the limit")
                _ = try? SIPMessage(parsing: bytes, framing: .stream, limits: limits).validate()
            case .ping, .pong:
                total += 2
            case .error:
                return 0
            }
        }
        precondition(framer.bufferedCount <= limits.maxMessageSize + chunk, "framer buffered without bound")
    }
    precondition(total <= stream.count, "framer produced more bytes than it was given")
    return 0
}

// SwiftPM links an executable with `main` bound to `FuzzStreamFramer_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzStreamFramer_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzStreamFramer(data, size) }
}

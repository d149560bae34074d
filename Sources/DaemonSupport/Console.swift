#if canImport(Glibc)
import Glibc
#endif

/// One message on stderr, for failures before logging is set up.
public func printError(_ message: String) {
    var bytes = Array(message.utf8)
    bytes.append(UInt8(ascii: "\n"))
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

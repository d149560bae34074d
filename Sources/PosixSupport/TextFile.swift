#if canImport(Glibc)
import Glibc
#endif

public enum TextFile {
    public struct ReadError: Error, Sendable {
        public var message: String
    }

    /// The whole file as UTF-8 text (invalid bytes replaced).
    public static func read(_ path: String) throws(ReadError) -> String {
        guard let text = readSmallFile(path) else {
            throw ReadError(message: UnixSocket.describe(errno))
        }
        return text
    }
}

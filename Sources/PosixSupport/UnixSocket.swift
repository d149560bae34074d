#if canImport(Glibc)
import Glibc
#endif

/// Why a Unix socket could not be set up or used. Equal on its code.
public struct UnixSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case pathTooLong, notASocket, inUse, missing, refused, systemCall, timedOut, closed, protocolError
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public static func == (lhs: UnixSocketError, rhs: UnixSocketError) -> Bool { lhs.code == rhs.code }
    public var description: String { message }
}

public enum UnixSocket {
    /// What `prepareListeningPath` found at the path.
    public enum Preparation: Sendable, Equatable {
        case fresh
        /// A socket file left by a process that died without removing it; it was removed.
        case replacedStale
    }

    /// Readies `path` for `bind`: creates the parent directory if missing, removes a stale
    /// socket left by a crash, and refuses when a live process is listening there or the path
    /// is something other than a socket.
    public static func prepareListeningPath(_ path: String) throws(UnixSocketError) -> Preparation {
        try checkLength(path)
        makeParentDirectory(of: path)
        var info = stat()
        guard lstat(path, &info) == 0 else { return .fresh }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw UnixSocketError(.notASocket, path: path, "\(path) exists and is not a socket; refusing to replace it")
        }
        do throws(UnixSocketError) {
            close(try connect(path: path))
        } catch where error.code == .refused || error.code == .missing {
            // Nobody listens: a socket file left by a process that died without removing it.
            unlink(path)
            return .replacedStale
        }
        throw UnixSocketError(.inUse, path: path,
                              "another process is already listening on \(path); is a second instance running?")
    }

    /// A listening, non-blocking, close-on-exec socket bound at `path` (prepared first).
    public static func listen(path: String, backlog: Int32 = 16) throws(UnixSocketError) -> Int32 {
        var address = try socketAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
                            | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket", path: path) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let error = systemError("bind", path: path)
            close(fd)
            throw error
        }
        return fd
    }

    /// A stream socket connected to `path`, blocking unless `nonBlocking` (then a listener with a
    /// full backlog refuses at once, EAGAIN, instead of making the caller wait).
    public static func connect(path: String, nonBlocking: Bool = false) throws(UnixSocketError) -> Int32 {
        var address = try socketAddress(path)
        let flags = Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | flags, 0)
        guard fd >= 0 else { throw systemError("socket", path: path) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            switch code {
            case ENOENT: throw UnixSocketError(.missing, path: path, "\(path) does not exist")
            case ECONNREFUSED: throw UnixSocketError(.refused, path: path, "connection refused on \(path)")
            default: throw UnixSocketError(.systemCall, path: path, "connect \(path): \(describe(code))")
            }
        }
        return fd
    }

    /// Sets O_NONBLOCK and FD_CLOEXEC; false if either fails.
    public static func setNonBlockingCloseOnExec(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0
    }

    static func checkLength(_ path: String) throws(UnixSocketError) {
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        guard path.utf8.count < capacity else {
            throw UnixSocketError(.pathTooLong, path: path,
                                  "socket path \(path) is \(path.utf8.count) bytes; the limit is \(capacity - 1)")
        }
    }

    static func socketAddress(_ path: String) throws(UnixSocketError) -> sockaddr_un {
        try checkLength(path)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        return address
    }

    static func makeParentDirectory(of path: String) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        var prefix = ""
        for component in path[..<slash].split(separator: "/") {
            prefix += "/" + component
            mkdir(prefix, 0o755)
        }
    }

    static func systemError(_ call: String, path: String) -> UnixSocketError {
        UnixSocketError(.systemCall, path: path, "\(call) \(path): \(describe(errno))")
    }

    public static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}

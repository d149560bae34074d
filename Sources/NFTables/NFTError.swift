import Glibc

/// A failure talking to nf_tables: what was being done, and the errno the kernel or libc gave.
/// Equal on code, operation and errno.
public struct NFTError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// Opening or configuring the netlink socket failed (EPERM: no CAP_NET_ADMIN).
        case socket
        /// Entering the requested network namespace failed.
        case namespace
        /// libnftnl could not allocate an object.
        case encode
        case send
        case receive
        /// The kernel rejected one operation; the whole transaction was rolled back.
        case rejected
        /// The kernel rejected the batch as a whole before looking at its operations.
        case batchRejected
    }

    public var code: Code
    /// The operation, as `NFTOperation.description` names it, or the system call.
    public var operation: String
    public var errno: Int32

    public init(_ code: Code, operation: String, errno: Int32) {
        self.code = code
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "nftables \(code): \(operation): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

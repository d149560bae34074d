import CLibNFTNL
import Glibc

/// Creates a `NETLINK_NETFILTER` socket inside the network namespace at `path` (for example
/// `/run/netns/NAME`). A socket keeps the namespace it was created in, so a short-lived thread
/// enters the namespace, creates the socket and exits; no other thread ever changes namespace.
func netfilterSocket(inNamespaceAt path: String) throws(NFTError) -> Int32 {
    let job = NamespaceJob(path: path)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(job).toOpaque()
    // The closure captures nothing (a capturing closure cannot be a C function pointer); the job
    // travels as the retained context pointer and is released after the join below.
    let created = pthread_create(&thread, nil, { context in
        Unmanaged<NamespaceJob>.fromOpaque(context!).takeUnretainedValue().run()
        return nil
    }, context)
    guard created == 0 else {
        Unmanaged<NamespaceJob>.fromOpaque(context).release()
        throw NFTError(.namespace, operation: "pthread_create", errno: created)
    }
    pthread_join(thread, nil)
    Unmanaged<NamespaceJob>.fromOpaque(context).release()
    // Read only after the join, which orders the thread's writes before this read.
    return try job.result.get()
}

/// Owned by exactly one thread at a time: the creator until `pthread_create`, the new thread
/// until it ends, the creator again after `pthread_join`.
private final class NamespaceJob {
    let path: String
    var result: Result<Int32, NFTError> = .failure(NFTError(.namespace, operation: "not run", errno: 0))

    init(path: String) { self.path = path }

    func run() {
        let namespace = open(path, O_RDONLY | O_CLOEXEC)
        guard namespace >= 0 else {
            result = .failure(NFTError(.namespace, operation: "open \(path)", errno: errno))
            return
        }
        defer { close(namespace) }
        guard palisade_setns_net(namespace) == 0 else {
            result = .failure(NFTError(.namespace, operation: "setns \(path)", errno: errno))
            return
        }
        let socketType = Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_NETLINK, socketType, NETLINK_NETFILTER)
        guard fd >= 0 else {
            result = .failure(NFTError(.socket, operation: "socket(AF_NETLINK) in \(path)", errno: errno))
            return
        }
        result = .success(fd)
    }
}

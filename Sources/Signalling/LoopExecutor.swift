import NIOCore

/// An event loop as a task executor (SE-0417), for the tasks of SIPService: what they run outside
/// the actor — a continuation resumed by NIO or an `AsyncStream`, a nonisolated async function —
/// runs on SIPService's own loop instead of the global pool. Without it every such resumption
/// was two thread hand-offs (to a pool thread, then back to the loop), each a futex or eventfd
/// wake-up, several per SIP message.
final class LoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

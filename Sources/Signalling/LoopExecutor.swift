import NIOCore

/// An event loop as SIPService's serial executor and as the task executor (SE-0417) its tasks
/// prefer, one object for both.
///
/// As task executor: what the service's tasks run outside the actor — a continuation resumed by
/// NIO or an `AsyncStream`, a nonisolated async function — runs on the service's own loop, not
/// the global pool (that was two thread hand-offs per resumption, each a futex or eventfd wake-up).
///
/// As serial executor, in place of NIO's own (`loop.executor`): the runtime switches a task to an
/// actor inline only when both its serial executor and its task executor are already current. NIO
/// runs jobs with no task executor, so with a task executor preferred every hop to the actor — at
/// the entry of each isolated async function and after each call returns — was a job of its own
/// through the loop's queue: 50 jobs per call. Every job here runs with this object as both, so
/// those hops run inline and a call costs the jobs its suspensions need (a task's start and end,
/// a media reply's resumption).
///
/// Nonisolated code run by a task-executor job is also marked isolated to this executor. That
/// claims nothing that is not true: the loop is one thread, and it runs every job of both kinds.
final class LoopExecutor: SerialExecutor, TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Code outside any job (a NIO handler or callback) is isolated when it runs on the loop.
    func checkIsolated() {
        loop.preconditionInEventLoop()
    }
}

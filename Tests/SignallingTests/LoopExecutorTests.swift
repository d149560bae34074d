import NIOCore
import NIOPosix
@testable import Signalling
import Testing

/// An actor on a `LoopExecutor`, as SIPService is.
private actor OnLoop {
    nonisolated let executor: LoopExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    var log: [Int] = []

    init(_ executor: LoopExecutor) { self.executor = executor }

    func record(_ value: Int) { log.append(value) }

    func step(_ value: Int) async {
        record(value)
        await nonisolatedWork()
        record(value + 1)
    }

    nonisolated func nonisolatedWork() async {
        executor.loop.preconditionInEventLoop()
    }
}

@Suite("LoopExecutor: SIPService's serial and task executor")
struct LoopExecutorTests {
    @Test("a task preferring it runs on the loop, in and out of the actor, in order")
    func tasksStayOnTheLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = LoopExecutor(loop)
        let actor = OnLoop(executor)
        let onLoop = await Task(executorPreference: executor) { () async -> Bool in
            for value in stride(from: 0, to: 100, by: 2) { await actor.step(value) }
            // Nonisolated code of the task runs on the loop too.
            return loop.inEventLoop
        }.value
        #expect(onLoop)
        #expect(await actor.log == Array(0..<100))
    }

    @Test("code on the loop outside any job counts as isolated to the actor (checkIsolated)")
    func isolatedFromLoopCallbacks() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let actor = OnLoop(LoopExecutor(loop))
        try await loop.submit {
            actor.assumeIsolated { $0.record(7) }
        }.get()
        #expect(await actor.log == [7])
    }
}

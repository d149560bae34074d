// The TLS load client of `scripts/bench transport`:
//   TransportBench idle  --port P --ca CA.pem --pid SERVER_PID [--count 10000] [--sources 16]
//   TransportBench storm --port P --ca CA.pem [--count 5000] [--sources 16]
// Prints `BENCH <name> <value> <unit>` lines and `#` notes.
import Foundation
import NIOPosix

let arguments = CommandLine.arguments
guard arguments.count >= 2, ["idle", "storm"].contains(arguments[1]) else {
    print("usage: TransportBench idle|storm --port P --ca CA.pem [--pid PID] [--count N]")
    exit(2)
}
let options = Options(arguments.dropFirst(2))
let group = MultiThreadedEventLoopGroup(numberOfThreads: options.int("threads", default: 2))
do {
    let fleet = try TLSClientFleet(options: options, group: group)
    switch arguments[1] {
    case "idle": try IdleBench(options: options, fleet: fleet).run()
    default: StormBench(options: options, fleet: fleet).run()
    }
} catch {
    print("TransportBench: \(error)")
    exit(1)
}
try? group.syncShutdownGracefully()

// palisade-bench: load generators for Palisade's benchmarks (`scripts/bench`).
//   palisade-bench media --socket PATH --media-pid PID [--profile rtp|srtp] [--mode fixed|max]
//       [--rate 50000] [--streams 10] [--interface bench] [--fixed-seconds 5] [--step-seconds 2]
//       [--start-rate 50000] [--rate-step 50000] [--max-rate 600000] [--cap-seconds 45]
//       [--malloc-counter FILE]
// Prints `BENCH <name> <value> <unit>` lines and `#` notes. Benchmarks/media.sh drives it.
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, command == "media" else {
    print("usage: palisade-bench media --socket PATH --media-pid PID [--profile rtp|srtp] [--mode fixed|max] …")
    exit(2)
}
do {
    let options = try Options(arguments.dropFirst())
    try MediaBench(options).run()
} catch let error as UsageError {
    print("palisade-bench: \(error.message)")
    exit(2)
} catch {
    print("palisade-bench media: \(error)")
    exit(1)
}

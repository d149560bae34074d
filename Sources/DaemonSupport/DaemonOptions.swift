import ArgumentParser
import Logging
import PalisadeConfig

/// The command-line options both daemons share, and the start-up they imply: `--check-config`
/// validates and exits; otherwise the configuration is loaded (defaults without `--config`) and
/// checked before anything binds, and logging is set up from it.
public struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (TOML). Without it, built-in defaults apply.")
    public var config: String?

    @Option(name: .long, help: "Validate this configuration file, print the verdict and exit.")
    public var checkConfig: String?

    @Option(name: .long, help: "Log format, overriding the configuration: text or json.")
    public var logFormat: PalisadeConfiguration.LogFormat?

    public init() {}

    /// The configuration to run with and the daemon's logger, or nil after `--check-config`
    /// (the caller returns). An invalid file exits with status 1 and every error on stderr.
    public func start(daemon: String) throws -> (PalisadeConfiguration, Logger)? {
        if let path = checkConfig {
            guard ConfigurationLoader.check(path: path) else { throw ExitCode(1) }
            return nil
        }
        let settings: PalisadeConfiguration
        do {
            settings = try ConfigurationLoader.load(path: config)
        } catch {
            printError("\(daemon): invalid configuration:\n\(error)")
            throw ExitCode(1)
        }
        PalisadeLogHandler.bootstrap(format: logFormat ?? settings.log.format, level: settings.log.level)
        return (settings, Logger(label: daemon))
    }
}

extension PalisadeConfiguration.LogFormat: ExpressibleByArgument {}

/// Renders, from the catalogue, the two documents that describe the configuration:
/// `docs/CONFIGURATION.md` and the documented default file `deploy/palisade.toml`.
/// Both are committed; a test checks that they match what is rendered here.
public enum ConfigurationReference {
    /// The Markdown reference: the file format, the command-line options, then every key.
    public static func renderMarkdown() -> String {
        var out = """
        # Configuration reference

        <!-- Generated from the catalogue in Sources/PalisadeConfig/ConfigKey.swift. Do not edit by hand:
             after changing the catalogue run `PALISADE_REGENERATE=1 swift test --filter PalisadeConfigTests`. -->

        Both daemons, `palisade-signal` and `palisade-media`, read one [TOML 1.0](https://toml.io/en/v1.0.0)
        file, each using the sections it needs. Give its path with `--config PATH`; without it a daemon
        runs on the built-in defaults. `--check-config PATH` (either daemon) reads and checks the file,
        prints every problem it finds, and exits — status 0 when the file is valid, 1 when it is not —
        without starting. A daemon given an invalid file refuses to start, before it binds any socket.

        Every key is optional: an empty file gives the defaults below. `deploy/palisade.toml` lists every
        key, commented out, at its default. Keys are grouped in tables (`[log]`, `[signal]`, …); a key may
        also be written with its full dotted name at the top of the file (`log.level = "debug"`).

        A file is checked as a whole and every error is reported, each with the file, line, key and the
        value found, for example:

        ```
        palisade.toml:12: signal.media_reconnect_max_ms: 70000 is out of range 10...60000
        palisade.toml:3: signal.admin_sockt: unknown key; did you mean signal.admin_socket?
        ```

        Unknown keys and tables are errors, not warnings: a misspelt key would otherwise silently keep
        its default. Date and time values are not supported.

        | error code | meaning |
        |---|---|

        """
        for code in ConfigurationError.Code.allCases {
            out += "| `\(code.rawValue)` | \(code.meaning) |\n"
        }
        for section in ConfigSection.allCases {
            out += "\n## [\(section.rawValue)]\n\n\(section.summary)\n\n"
            out += "| key | type | default | allowed | summary |\n|---|---|---|---|---|\n"
            for key in section.keys {
                let cells = [
                    "`\(key.rawValue)`",
                    key.rule.typeName,
                    "`\(key.defaultValue)`",
                    key.rule.allowedDescription,
                    key.summary,
                ]
                out += "| " + cells.map { $0.replacingPipes() }.joined(separator: " | ") + " |\n"
            }
        }
        let rules = ConfigKey.crossFieldRules.map(\.summary)
        if !rules.isEmpty {
            out += "\n## Rules between keys\n\n" + rules.map { "- \($0)\n" }.joined()
        }
        return out
    }

    /// The default file: every section, every key commented out at its default, with its summary.
    /// Parsing it gives `PalisadeConfiguration.defaults`.
    public static func renderDefaultFile() -> String {
        var out = """
        # Palisade configuration (TOML 1.0), read by palisade-signal and palisade-media.
        #
        # Generated from the catalogue in Sources/PalisadeConfig/ConfigKey.swift; do not edit this copy
        # by hand (PALISADE_REGENERATE=1 swift test --filter PalisadeConfigTests rewrites it).
        # Every key is optional and shown commented out at its default: uncomment a line to change it.
        # Reference: docs/CONFIGURATION.md. Check a file with: palisade-signal --check-config FILE

        """
        for section in ConfigSection.allCases {
            out += "\n# \(section.summary)\n[\(section.rawValue)]\n"
            for key in section.keys {
                out += "\n# \(key.summary)\n# \(key.rule.typeName): \(key.rule.allowedDescription)\n"
                out += "#\(key.name) = \(key.defaultValue)\n"
            }
        }
        return out
    }
}

extension ConfigCrossFieldRule {
    var summary: String {
        switch self {
        case .atLeast(let key, let bound): "`\(key.rawValue)` must be at least `\(bound.rawValue)`."
        }
    }
}

extension String {
    /// A Markdown table cell cannot hold a bare `|`.
    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}

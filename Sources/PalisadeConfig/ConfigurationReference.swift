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
            out += "\n## \(section.header)\n\n\(section.summary)\n\n"
            if section == .realm {
                out += """
                    The keys' defaults below apply inside each `[[realm]]` written in the file. A file without
                    `[[realm]]` gets the realms in [Default realms](#default-realms); writing any `[[realm]]`
                    replaces both. Errors inside a realm name the element by its index from 0:
                    `realm[1].listener[0].transport`.


                    """
            }
            out += "| key | type | default | allowed | summary |\n|---|---|---|---|---|\n"
            for key in section.keys {
                let cells = [
                    "`\(key.rawValue)`",
                    key.rule.typeName,
                    defaultCell(key),
                    key.rule.allowedDescription,
                    key.summary,
                ]
                out += "| " + cells.map { $0.replacingPipes() }.joined(separator: " | ") + " |\n"
            }
        }
        out += """

            ## Default realms

            Without `[[realm]]` in the file, Palisade runs with these two realms, bound to loopback only so
            that a fresh install exposes nothing:

            ```toml
            \(defaultRealmsTOML())
            ```

            A TLS listener, with a certificate chosen by SNI, a fallback certificate, and optional client
            certificates (inside a `[[realm]]`, like every listener):

            ```toml
            \(tlsListenerExample)
            ```

            """
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
        for section in ConfigSection.allCases where section.parent == nil && !section.isRepeated {
            out += "\n# \(section.summary)\n[\(section.rawValue)]\n"
            for key in section.keys {
                out += "\n# \(key.summary)\n# \(key.rule.typeName): \(key.rule.allowedDescription)\n"
                // A key unset by default has no value to show; its summary says what unset means.
                out += key.defaultValue == .unset ? "# \(key.name) = (unset by default)\n" : "#\(key.name) = \(key.defaultValue)\n"
            }
        }
        out += "\n" + commented(ConfigSection.realm.summary, width: 98)
        out += "#\n# Errors inside a realm name it by its index from 0: realm[1].listener[0].transport.\n"
        for section in [ConfigSection.realm, .realmListener, .realmMedia, .realmTarget] {
            out += "#\n# Keys of \(section.header):\n"
            for key in section.keys {
                out += "#   \(key.name): \(key.summary)\n"
                out += "#       \(key.rule.typeName), \(defaultWords(key)); \(key.rule.allowedDescription)\n"
            }
        }
        out += """
            #
            # Without [[realm]] in this file Palisade uses the two realms below, bound to loopback only.
            # Uncomment them to start from there; writing any [[realm]] replaces both. Lines starting
            # with "# " are examples.

            """
        for realm in PalisadeConfiguration.Realm.defaults {
            out += "\n" + renderRealm(realm, examples: true).map { $0.isEmpty ? "\n" : "#\($0)\n" }.joined()
        }
        return out
    }

    /// A listener on TLS, shown (commented out) in the default file and in the reference.
    static let tlsListenerExample = """
        [[realm.listener]]
        transport = "tls"
        listen = "203.0.113.10:5061"
        advertise = "sip.example.com:5061"
        certificates = [
            { cert = "/etc/palisade/tls/sip.example.com.pem", key = "/etc/palisade/tls/sip.example.com.key", server_names = ["sip.example.com"] },
            { cert = "/etc/palisade/tls/fallback.pem", key = "/etc/palisade/tls/fallback.key" },
        ]
        client_certificates = "optional"
        ca_bundle = "/etc/palisade/tls/phones-ca.pem"
        min_tls_version = "1.2"
        """

    /// Routing from access to core, shown (commented out) in the default file.
    static let routeToExample = "route_to = \"core\""

    /// A core target, shown (commented out) in the default file.
    static let targetExample = """
        [[realm.target]]
        address = "192.0.2.20:5060"
        transport = "udp"
        priority = 1
        weight = 10
        """

    /// An advertised media address, shown (commented out) in the default file.
    static let mediaAdvertiseExample = "advertise = \"198.51.100.7\""

    /// The default realms as TOML, uncommented, for the reference.
    static func defaultRealmsTOML() -> String {
        PalisadeConfiguration.Realm.defaults.map { renderRealm($0, examples: false).joined(separator: "\n") }
            .joined(separator: "\n\n")
    }

    /// A realm as TOML lines, every key that has a value; empty strings separate tables. With
    /// `examples`, commented lines ("# …") show a TLS listener and an advertised media address.
    static func renderRealm(_ realm: PalisadeConfiguration.Realm, examples: Bool) -> [String] {
        var lines = ["[[realm]]"]
        for key in ConfigSection.realm.keys where realm[key] != .unset {
            lines.append("\(key.name) = \(realm[key])")
        }
        let access = examples && realm.name == "access"
        let core = examples && realm.name == "core"
        if access {
            lines.append(realm.routeTo == nil ? " \(routeToExample)    # calls from phones go to the core's targets"
                : " A realm routing to itself calls its registered phones; \(routeToExample) sends calls to the core's targets instead.")
        }
        for listener in realm.listeners {
            lines += ["", "[[realm.listener]]"]
            for key in ConfigSection.realmListener.keys where listener[key] != .unset {
                lines.append("\(key.name) = \(listener[key])")
            }
        }
        if access {
            lines += ["", " A TLS listener on a public address, with certificates chosen by SNI:"]
            lines += tlsListenerExample.split(separator: "\n").map { " " + $0 }
        }
        lines += ["", "[realm.media]"]
        for key in ConfigSection.realmMedia.keys where realm[key] != .unset {
            lines.append("\(key.name) = \(realm[key])")
        }
        if access {
            lines.append(" \(mediaAdvertiseExample)    # the public address for SDP, behind 1:1 NAT")
        }
        for target in realm.targets {
            lines += ["", "[[realm.target]]"]
            for key in ConfigSection.realmTarget.keys where target[key] != .unset {
                lines.append("\(key.name) = \(target[key])")
            }
        }
        if core {
            lines += ["", " A PBX that calls routed here (route_to = \"core\") go to; repeat for failover and load sharing:"]
            lines += targetExample.split(separator: "\n").map { " " + $0 }
        }
        return lines
    }

    /// The default column of the reference.
    private static func defaultCell(_ key: ConfigKey) -> String {
        switch key.defaultValue {
        case .unset: key.isRequired ? "required" : "none"
        default: "`\(key.defaultValue)`"
        }
    }

    /// "required", "default none" or "default 30000", for the default file.
    private static func defaultWords(_ key: ConfigKey) -> String {
        switch key.defaultValue {
        case .unset: key.isRequired ? "required" : "default none"
        default: "default \(key.defaultValue)"
        }
    }

    /// `text` as comment lines of at most `width` characters.
    private static func commented(_ text: String, width: Int) -> String {
        var out = "", line = "#"
        for word in text.split(separator: " ") {
            if line.count + 1 + word.count > width {
                out += line + "\n"
                line = "#"
            }
            line += " " + word
        }
        return out + line + "\n"
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

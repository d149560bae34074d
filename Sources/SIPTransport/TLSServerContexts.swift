import NIOCore
import NIOSSL
import Synchronization

/// The TLS state of one listener: a context for new connections and the certificate chosen per SNI
/// name. `reload()` reads the PEM files again and swaps both; a connection keeps the context and
/// certificate it was accepted with, so established connections are not touched.
final class TLSServerContexts: Sendable {
    /// One loaded certificate: chain and key, ready to hand to a handshake.
    struct Loaded: Sendable {
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource
    }

    struct Table: Sendable {
        var context: NIOSSLContext
        var byName: [String: Loaded]
        var fallback: Loaded
    }

    let spec: TLSServerSpec
    private let table: Mutex<Table?>

    init(spec: TLSServerSpec) throws(TransportError) {
        self.spec = spec
        self.table = Mutex(nil)
        try reload()
    }

    /// The context for a new connection.
    var context: NIOSSLContext {
        table.withLock { $0! }.context
    }

    /// Reads every PEM file again and builds a new context. On any error the old state stays.
    func reload() throws(TransportError) {
        guard let first = spec.certificates.first else {
            throw TransportError(.tlsConfiguration, "a TLS listener needs at least one certificate")
        }
        var byName: [String: Loaded] = [:]
        var fallback: Loaded?
        for files in spec.certificates {
            let loaded = try Self.load(files)
            if files == first { fallback = loaded }
            for name in files.serverNames { byName[name.lowercased()] = loaded }
        }
        guard let fallback else { throw TransportError(.tlsConfiguration, "no default certificate") }

        var config = TLSConfiguration.makeServerConfiguration(certificateChain: fallback.chain,
                                                               privateKey: fallback.key)
        TLSServerContexts.apply(spec.cipherPolicy, to: &config)
        switch spec.clientCertificates {
        case .none:
            config.certificateVerification = .none
        case .optional:
            config.certificateVerification = .optionalVerification
        case .required:
            config.certificateVerification = .noHostnameVerification
        }
        if spec.clientCertificates != .none {
            guard let ca = spec.caBundlePath else {
                throw TransportError(.tlsConfiguration, "client certificates need caBundlePath")
            }
            do {
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw TransportError(.tlsConfiguration, "CA bundle \(ca): \(error)")
            }
            config.sendCANameList = true
        }
        // SNI: every hello picks its certificate from the current table. The table is read at
        // hello time, so a reload applies to the next handshake and never to a running one.
        config.sslContextCallback = { [weak self] values, promise in
            var override = NIOSSLContextConfigurationOverride()
            if let self {
                let chosen = self.certificate(forServerName: values.serverHostname)
                override.certificateChain = chosen.chain
                override.privateKey = chosen.key
            }
            promise.succeed(override)
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: config)
        } catch {
            throw TransportError(.tlsConfiguration, "\(error)")
        }
        let new = Table(context: context, byName: byName, fallback: fallback)
        table.withLock { $0 = new }
    }

    func certificate(forServerName name: String?) -> Loaded {
        table.withLock { t in
            let t = t!
            if let name, let hit = t.byName[name.lowercased()] { return hit }
            return t.fallback
        }
    }

    static func load(_ files: TLSCertificateFiles) throws(TransportError) -> Loaded {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.chainPath)
            guard !chain.isEmpty else { throw TransportError(.tlsConfiguration, "no certificate in \(files.chainPath)") }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            return Loaded(chain: chain.map { .certificate($0) }, key: .privateKey(key))
        } catch let e as TransportError {
            throw e
        } catch {
            throw TransportError(.tlsConfiguration, "\(files.chainPath) / \(files.keyPath): \(error)")
        }
    }

    static func apply(_ policy: TLSCipherPolicy, to config: inout TLSConfiguration) {
        switch policy.minimumVersion {
        case .v1_2: config.minimumTLSVersion = .tlsv12
        case .v1_3: config.minimumTLSVersion = .tlsv13
        }
        config.maximumTLSVersion = .tlsv13
        config.cipherSuites = policy.tls12CipherSuites
        config.renegotiationSupport = .none
    }
}

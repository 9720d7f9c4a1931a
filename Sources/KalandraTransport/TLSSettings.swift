import NIOCore
import NIOSSL

/// The server's TLS certificate: PEM files of the certificate chain (leaf first) and its private key.
public struct ServerTLS: Sendable {
    public var certificateChainPEMPath: String
    public var privateKeyPEMPath: String

    public init(certificateChainPEMPath: String, privateKeyPEMPath: String) {
        self.certificateChainPEMPath = certificateChainPEMPath
        self.privateKeyPEMPath = privateKeyPEMPath
    }

    func makeContext() throws(TransportError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPEMPath).map {
                NIOSSLCertificateSource.certificate($0)
            }
            guard !chain.isEmpty else {
                throw TransportError.tlsConfiguration("no certificate in \(certificateChainPEMPath)")
            }
            let key = try NIOSSLPrivateKey(file: privateKeyPEMPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain,
                privateKey: .privateKey(key)
            )
            configuration.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: configuration)
        } catch let error as TransportError {
            throw error
        } catch {
            throw .tlsConfiguration("\(certificateChainPEMPath), \(privateKeyPEMPath): \(error)")
        }
    }
}

/// How a client checks the server's certificate: against the system's roots, or the roots of a PEM file (for a
/// self-signed or private CA certificate). The name checked is the connection's host name, or its IP address when
/// the host is one.
public struct ClientTLS: Sendable {
    /// A PEM file of trusted root certificates; nil: the system's.
    public var trustRootsPEMPath: String?

    public init(trustRootsPEMPath: String? = nil) {
        self.trustRootsPEMPath = trustRootsPEMPath
    }

    func makeContext() throws(TransportError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let trustRootsPEMPath {
            configuration.trustRoots = .file(trustRootsPEMPath)
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsConfiguration("trust roots \(trustRootsPEMPath ?? "(system)"): \(error)")
        }
    }
}

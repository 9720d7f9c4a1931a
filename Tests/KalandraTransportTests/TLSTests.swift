import Foundation
import KalandraCore
import KalandraTransport
import KalandraWire
import NIOCore
import Testing

/// A self-signed certificate for 127.0.0.1 made by `openssl req -x509` in a temporary directory.
struct SelfSignedCertificate {
    let certificatePath: String
    let keyPath: String

    init(name: String, directory: URL) throws {
        certificatePath = directory.appendingPathComponent("\(name).crt").path
        keyPath = directory.appendingPathComponent("\(name).key").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", keyPath, "-out", certificatePath, "-days", "1", "-subj", "/CN=\(name)",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl req exited with \(process.terminationStatus)")
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct TLSTests {
    let keys = Keys()

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kalandra-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func framesRoundTripOverTLSWithASelfSignedCertificate() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try SelfSignedCertificate(name: "server", directory: directory)
        let server = try await startServer(
            keys,
            tls: ServerTLS(certificateChainPEMPath: certificate.certificatePath, privateKeyPEMPath: certificate.keyPath)
        )
        let sent = try (1...50).map { try testFrame(key: keys.server, messageID: UInt32($0), contentLength: $0 * 100) }
        let serverSide = Task {
            let connection = try await nextConnection(server)
            for frame in sent { try await connection.outbound.send(frame) }
            return await drain(connection, upTo: 50)
        }
        let client = try await connect(server, keys, tls: ClientTLS(trustRootsPEMPath: certificate.certificatePath))
        let returned = try (1...50).map {
            try testFrame(key: keys.devices[0], messageID: UInt32($0), contentLength: $0)
        }
        for frame in returned { try await client.outbound.send(frame) }
        let received = await drain(client, upTo: 50)
        #expect(received.error == nil)
        #expect(received.frames.map(\.header) == sent.map(\.header))
        #expect(received.frames.map(payloadBytes) == sent.map(payloadBytes))
        let seenByServer = try await serverSide.value
        #expect(seenByServer.frames.map(\.header) == returned.map(\.header))
        await client.close()
        await server.shutdown()
    }

    @Test func aClientRefusesACertificateItDoesNotTrust() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let served = try SelfSignedCertificate(name: "server", directory: directory)
        let trusted = try SelfSignedCertificate(name: "other", directory: directory)
        let server = try await startServer(
            keys,
            tls: ServerTLS(certificateChainPEMPath: served.certificatePath, privateKeyPEMPath: served.keyPath)
        )
        await #expect {
            try await connect(server, keys, tls: ClientTLS(trustRootsPEMPath: trusted.certificatePath))
        } throws: { error in
            guard case .tlsFailed(let reason) = error as? TransportError else { return false }
            return reason.contains("CERTIFICATE_VERIFY_FAILED")
        }
        // The server is still up for a client that trusts it.
        let client = try await connect(server, keys, tls: ClientTLS(trustRootsPEMPath: served.certificatePath))
        await client.close()
        await server.shutdown()
    }

    @Test func aPlainClientCannotTalkToATLSServer() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try SelfSignedCertificate(name: "server", directory: directory)
        let limits = TransportLimits(handshakeTimeout: .seconds(2))
        let server = try await startServer(
            keys,
            limits: limits,
            tls: ServerTLS(certificateChainPEMPath: certificate.certificatePath, privateKeyPEMPath: certificate.keyPath)
        )
        await #expect(throws: TransportError.self) { try await connect(server, keys, limits: limits) }
        await server.shutdown()
    }

    @Test func unreadableCertificateFilesAreATLSConfigurationError() async throws {
        await #expect {
            try await startServer(
                keys,
                tls: ServerTLS(
                    certificateChainPEMPath: "/nonexistent/cert.pem",
                    privateKeyPEMPath: "/nonexistent/key.pem"
                )
            )
        } throws: { error in
            guard case .tlsConfiguration(let reason) = error as? TransportError else { return false }
            return reason.contains("/nonexistent/cert.pem")
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdCore
import KalandraCore
import KalandraCrypto
import Logging
import NIOCore

/// The home server's HTTP control plane: `/metrics`, `/healthz`, `/readyz` and the admin API under `/admin`.
///
/// `/metrics`, `/healthz` and `/readyz` are open, as scrapers and orchestrators expect; they reveal only counts and a
/// fixed readiness reason, and the default bind address is loopback. `/admin/...` needs `Authorization: Bearer
/// <token>` with the token given at init.
public struct ControlPlane: Sendable {
    /// The Prometheus text format's content type (format 0.0.4).
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Rooms per `/admin/rooms` page when the request names no `limit`.
    public static let defaultRoomsPerPage = 100
    /// The largest `limit` `/admin/rooms` accepts.
    public static let maximumRoomsPerPage = 1000

    public let configuration: ControlPlaneConfiguration
    public let metrics: ServerMetrics
    private let state: any ControlPlaneState
    private let logger: Logger

    public init(
        configuration: ControlPlaneConfiguration,
        metrics: ServerMetrics,
        state: any ControlPlaneState,
        logger: Logger = Logger(label: "kalandra.control-plane")
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.state = state
        self.logger = logger
    }

    /// The routes, without a server: what the tests drive directly and what ``makeApplication(onListening:)`` serves.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let metrics = metrics
        let state = state
        router.get("/metrics") { _, _ in
            Self.text(metrics.exposition(), status: .ok, contentType: Self.metricsContentType)
        }
        router.get("/healthz") { _, _ in
            Self.text("ok\n", status: .ok)
        }
        router.get("/readyz") { _, _ in
            let readiness = await state.readiness()
            guard let reason = readiness.reason else { return Self.text("ready\n", status: .ok) }
            return Self.text("not ready: \(reason)\n", status: .serviceUnavailable)
        }
        let admin = router.group("/admin")
            .add(middleware: BearerTokenMiddleware(digest: configuration.adminTokenDigest, logger: logger))
        admin.get("/rooms") { request, _ in
            try await Self.rooms(request: request, state: state)
        }
        return router
    }

    /// A Hummingbird application serving ``makeRouter()`` at the configured address. `onListening` receives the bound
    /// port once the socket listens (the real one when the configuration asked for port 0).
    public func makeApplication(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let configuration = configuration
        return Application(
            router: makeRouter(),
            server: .http1(
                configuration: .init(
                    idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: 8 * 1024,
                        maxHeaderListSize: 16 * 1024,
                        maxHeaderFieldCount: 64
                    )
                )
            ),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "kalandra",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maximumConnections)
            ),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
    }

    // MARK: Handlers

    private static func rooms(request: Request, state: any ControlPlaneState) async throws -> Response {
        let query = request.uri.queryParameters
        var limit = defaultRoomsPerPage
        if let text = query["limit"] {
            guard let value = Int(text), (1...maximumRoomsPerPage).contains(value) else {
                throw HTTPError(.badRequest, message: "limit must be an integer in 1...\(maximumRoomsPerPage)")
            }
            limit = value
        }
        var after: RoomID?
        if let text = query["after"] {
            guard let id = RoomID(hex: text) else {
                throw HTTPError(.badRequest, message: "after must be a room ID of 32 hexadecimal digits")
            }
            after = id
        }
        // One more than the page, to learn whether another page follows; never trust the state to stop at `limit`.
        let fetched = await state.rooms(after: after, limit: limit + 1)
        let page = fetched.prefix(limit)
        let next = fetched.count > limit ? page.last.map { $0.id.description } : nil
        let body = RoomsPage(rooms: page.map(RoomJSON.init), next: next)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func text(
        _ body: String,
        status: HTTPResponse.Status,
        contentType: String = "text/plain; charset=utf-8"
    )
        -> Response
    {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Where the control plane listens and who may use its admin API.
public struct ControlPlaneConfiguration: Sendable {
    /// Shortest admin token accepted, in bytes: 16 bytes leave no room for guessing over HTTP.
    public static let minimumAdminTokenLength = 16
    /// Longest admin token accepted, in bytes; longer `Authorization` headers are refused before hashing.
    public static let maximumAdminTokenLength = 256

    public let host: String
    public let port: Int
    /// Concurrent connections at most; further ones wait in the listen backlog.
    public let maximumConnections: Int
    /// An idle connection is closed after this many seconds.
    public let idleTimeoutSeconds: Int
    /// SHA-256 of the admin token: the token itself is not kept, and digests have one length, so comparing them in
    /// constant time reveals neither content nor length.
    let adminTokenDigest: [UInt8]

    /// - Parameters:
    ///   - host: the address to bind, 127.0.0.1 by default (operators put a proxy in front for remote scrapes).
    ///   - port: 9464 by default (the port Prometheus exporters conventionally take); 0 picks a free port.
    ///   - adminToken: the bearer token of `/admin/...`, 16 to 256 bytes.
    /// - Throws: ``ControlPlaneConfigurationError`` for an empty host, a port outside 0...65535, a token of the wrong
    ///   length, or connection and idle limits below 1.
    public init(
        host: String = "127.0.0.1",
        port: Int = 9464,
        adminToken: String,
        maximumConnections: Int = 64,
        idleTimeoutSeconds: Int = 30
    ) throws(ControlPlaneConfigurationError) {
        guard !host.isEmpty else { throw .emptyHost }
        guard (0...65535).contains(port) else { throw .portOutOfRange(port) }
        let tokenLength = adminToken.utf8.count
        guard (Self.minimumAdminTokenLength...Self.maximumAdminTokenLength).contains(tokenLength) else {
            throw .adminTokenLength(tokenLength)
        }
        guard maximumConnections >= 1 else { throw .limitBelowOne("maximumConnections") }
        guard idleTimeoutSeconds >= 1 else { throw .limitBelowOne("idleTimeoutSeconds") }
        self.host = host
        self.port = port
        self.maximumConnections = maximumConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        adminTokenDigest = SHA256Hash.digest(Array(adminToken.utf8))
    }
}

/// Why a ``ControlPlaneConfiguration`` was refused.
public enum ControlPlaneConfigurationError: Error, Equatable, CustomStringConvertible {
    case emptyHost
    case portOutOfRange(Int)
    case adminTokenLength(Int)
    case limitBelowOne(String)

    public var description: String {
        switch self {
        case .emptyHost: "control plane host is empty"
        case .portOutOfRange(let port): "control plane port \(port) is outside 0...65535"
        case .adminTokenLength(let length):
            "admin token is \(length) bytes; it must be \(ControlPlaneConfiguration.minimumAdminTokenLength)"
                + "...\(ControlPlaneConfiguration.maximumAdminTokenLength)"
        case .limitBelowOne(let name): "\(name) must be at least 1"
        }
    }
}

/// Lets a request through only with `Authorization: Bearer <token>` for the configured token; 401 otherwise.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let digest: [UInt8]
    let logger: Logger

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let presented = Self.bearerToken(request.headers[.authorization]),
            ConstantTime.equals(SHA256Hash.digest(Array(presented.utf8)), digest)
        else {
            logger.notice("admin request refused", metadata: ["path": "\(request.uri.path.prefix(128))"])
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = #"Bearer realm="kalandra-admin""#
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(
                status: .unauthorized,
                headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: "unauthorized\n"))
            )
        }
        return try await next(request, context)
    }

    /// The token of a `Bearer` credential (the scheme is case-insensitive, RFC 9110 §11.1), or nil.
    static func bearerToken(_ header: String?) -> Substring? {
        guard let header, header.utf8.count <= 7 + ControlPlaneConfiguration.maximumAdminTokenLength else { return nil }
        let scheme = header.prefix(7)
        guard scheme.lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7)
        return token.isEmpty ? nil : token
    }
}

extension RoomID {
    /// The room whose ID is spelled by 32 hexadecimal digits (as `description` writes it), or nil.
    init?(hex text: some StringProtocol) {
        guard text.utf8.count == 32, let bytes = Hex.decode(text) else { return nil }
        let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self.init(high: high, low: low)
    }
}

/// The JSON of `/admin/rooms`: `{"next": "<id>"?, "rooms": [...]}`; `next` is the `after` of the next page.
private struct RoomsPage: Encodable {
    let rooms: [RoomJSON]
    let next: String?
}

private struct RoomJSON: Encodable {
    let id: String
    let epoch: UInt64
    let memberCount: Int
    let lastSequence: UInt64

    init(_ summary: RoomSummary) {
        id = summary.id.description
        epoch = summary.epoch.rawValue
        memberCount = summary.memberCount
        lastSequence = summary.lastSequence.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case id, epoch
        case memberCount = "member_count"
        case lastSequence = "last_sequence"
    }
}

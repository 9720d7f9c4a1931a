import Foundation
import Hummingbird
import HummingbirdTesting
import KalandraCore
import Logging
import Testing

@testable import KalandraControlPlane

/// What the server will provide, kept in memory: a readiness the test flips and a sorted list of rooms.
actor TestState: ControlPlaneState {
    private var current: Readiness
    private let all: [RoomSummary]
    private(set) var largestLimitAsked = 0

    init(readiness: Readiness = .ready, rooms: [RoomSummary] = []) {
        current = readiness
        all = rooms.sorted { $0.id < $1.id }
    }

    func set(_ readiness: Readiness) { current = readiness }

    func readiness() async -> Readiness { current }

    func rooms(after: RoomID?, limit: Int) async -> [RoomSummary] {
        largestLimitAsked = max(largestLimitAsked, limit)
        return Array(all.filter { after == nil || $0.id > after! }.prefix(limit))
    }
}

@Suite struct ControlPlaneTests {
    static let token = "s3cret-token-for-tests-0123456789"
    static let rooms = (1...5).map { index in
        RoomSummary(
            id: RoomID(high: UInt64(index), low: 0xABCD),
            epoch: Epoch(UInt64(index * 10)),
            memberCount: index + 1,
            lastSequence: LogSequence(UInt64(index * 100))
        )
    }

    static func makeControlPlane(
        state: TestState = TestState(rooms: rooms),
        metrics: ServerMetrics? = nil
    ) throws -> ControlPlane {
        var logger = Logger(label: "test.control-plane")
        logger.logLevel = .critical
        return ControlPlane(
            configuration: try ControlPlaneConfiguration(port: 0, adminToken: token),
            metrics: try metrics ?? Fixture.metrics(),
            state: state,
            logger: logger
        )
    }

    static func app(_ controlPlane: ControlPlane) -> some ApplicationProtocol {
        Application(router: controlPlane.makeRouter())
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    // MARK: Open endpoints

    @Test func healthzAnswersOk() async throws {
        try await Self.app(Self.makeControlPlane()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
        }
    }

    @Test func metricsServesTheExposition() async throws {
        let metrics = try Fixture.metrics()
        metrics.commitAdmitted()
        metrics.setRooms(3)
        try await Self.app(Self.makeControlPlane(metrics: metrics)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let samples = Fixture.samples(String(buffer: response.body))
                #expect(samples["kalandra_commits_admitted_total"] == 1)
                #expect(samples["kalandra_rooms"] == 3)
            }
            // A later scrape sees later values: nothing is cached.
            metrics.commitAdmitted()
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(Fixture.samples(String(buffer: response.body))["kalandra_commits_admitted_total"] == 2)
            }
        }
    }

    @Test func readyzFollowsTheState() async throws {
        let state = TestState(readiness: .storageNotOpen)
        try await Self.app(Self.makeControlPlane(state: state)).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "not ready: storage not open\n")
            }
            await state.set(.restoringRooms)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "not ready: rooms not restored\n")
            }
            await state.set(.ready)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ready\n")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
            await state.set(.shuttingDown)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "not ready: shutting down\n")
            }
            // /healthz stays 200 whatever readiness says: the process is alive.
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func everyNotReadyStateHasAReasonAndOnlyReadyLacksOne() {
        for readiness in Readiness.allCases {
            #expect((readiness.reason == nil) == (readiness == .ready))
        }
    }

    @Test func unknownPathsAre404() async throws {
        try await Self.app(Self.makeControlPlane()).test(.router) { client in
            try await client.execute(uri: "/admin/nothing-here", method: .get, headers: Self.bearer(Self.token)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/metricz", method: .get) { #expect($0.status == .notFound) }
        }
    }

    // MARK: Admin authentication

    @Test func adminRefusesMissingOrWrongTokens() async throws {
        let state = TestState(rooms: Self.rooms)
        let sameLengthWrong = String(Self.token.dropLast()) + "X"
        let refused: [HTTPFields] = [
            [:],
            Self.bearer("wrong"),
            Self.bearer(sameLengthWrong),
            Self.bearer(Self.token + "0"),
            Self.bearer(""),
            [.authorization: "Basic \(Self.token)"],
            [.authorization: Self.token],
            [.authorization: "Bearer" + Self.token],
            Self.bearer(String(repeating: "a", count: 300)),
        ]
        try await Self.app(Self.makeControlPlane(state: state)).test(.router) { client in
            for headers in refused {
                try await client.execute(uri: "/admin/rooms", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(headers)")
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="kalandra-admin""#)
                    #expect(!String(buffer: response.body).contains("room"))
                }
            }
        }
        #expect(await state.largestLimitAsked == 0, "a refused request must not reach the state")
    }

    @Test func adminAcceptsTheTokenWithAnyCaseOfScheme() async throws {
        try await Self.app(Self.makeControlPlane()).test(.router) { client in
            for scheme in ["Bearer", "bearer", "BEARER"] {
                let headers: HTTPFields = [.authorization: "\(scheme) \(Self.token)"]
                try await client.execute(uri: "/admin/rooms", method: .get, headers: headers) {
                    #expect($0.status == .ok, "\(scheme)")
                }
            }
        }
    }

    @Test func bearerTokenParsing() {
        typealias Middleware = BearerTokenMiddleware<BasicRequestContext>
        #expect(Middleware.bearerToken("Bearer abc") == "abc")
        #expect(Middleware.bearerToken("bEaReR abc") == "abc")
        #expect(Middleware.bearerToken("Bearer ") == nil)
        #expect(Middleware.bearerToken("Bearerabc") == nil)
        #expect(Middleware.bearerToken("Basic abc") == nil)
        #expect(Middleware.bearerToken(nil) == nil)
        #expect(Middleware.bearerToken("Bearer " + String(repeating: "a", count: 257)) == nil)
        #expect(Middleware.bearerToken("Bearer " + String(repeating: "a", count: 256)) != nil)
    }

    // MARK: Admin rooms

    struct Page: Decodable {
        struct Room: Decodable, Equatable {
            let id: String
            let epoch: UInt64
            let member_count: Int
            let last_sequence: UInt64
        }
        let rooms: [Room]
        let next: String?
    }

    static func json(_ summary: RoomSummary) -> Page.Room {
        Page.Room(
            id: summary.id.description,
            epoch: summary.epoch.rawValue,
            member_count: summary.memberCount,
            last_sequence: summary.lastSequence.rawValue
        )
    }

    @Test func adminRoomsListsRoomsAsJSON() async throws {
        try await Self.app(Self.makeControlPlane()).test(.router) { client in
            try await client.execute(uri: "/admin/rooms", method: .get, headers: Self.bearer(Self.token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[.cacheControl] == "no-store")
                let page = try JSONDecoder().decode(Page.self, from: Data(String(buffer: response.body).utf8))
                #expect(page.rooms == Self.rooms.map(Self.json))
                #expect(page.next == nil)
                #expect(page.rooms.first?.id == "0000000000000001" + "000000000000abcd")
            }
        }
    }

    @Test func adminRoomsPagesThroughEveryRoomOnce() async throws {
        let state = TestState(rooms: Self.rooms)
        try await Self.app(Self.makeControlPlane(state: state)).test(.router) { client in
            var seen: [Page.Room] = []
            var uri = "/admin/rooms?limit=2"
            var pages = 0
            while pages < 10 {
                pages += 1
                let page = try await client.execute(uri: uri, method: .get, headers: Self.bearer(Self.token)) {
                    response in
                    #expect(response.status == .ok)
                    return try JSONDecoder().decode(Page.self, from: Data(String(buffer: response.body).utf8))
                }
                #expect(page.rooms.count <= 2)
                seen += page.rooms
                guard let next = page.next else { break }
                #expect(next == page.rooms.last?.id)
                uri = "/admin/rooms?limit=2&after=\(next)"
            }
            #expect(pages == 3)
            #expect(seen == Self.rooms.map(Self.json))
        }
        #expect(await state.largestLimitAsked == 3, "the control plane asks for one room more than the page")
    }

    @Test func adminRoomsRefusesBadParameters() async throws {
        let state = TestState(rooms: Self.rooms)
        try await Self.app(Self.makeControlPlane(state: state)).test(.router) { client in
            for query in [
                "limit=0", "limit=1001", "limit=-1", "limit=ten", "after=xyz", "after=0123",
                "after=" + String(repeating: "g", count: 32),
            ] {
                try await client.execute(uri: "/admin/rooms?\(query)", method: .get, headers: Self.bearer(Self.token)) {
                    #expect($0.status == .badRequest, "\(query)")
                }
            }
            try await client.execute(uri: "/admin/rooms?limit=1000", method: .get, headers: Self.bearer(Self.token)) {
                #expect($0.status == .ok)
            }
        }
        #expect(await state.largestLimitAsked == ControlPlane.maximumRoomsPerPage + 1)
    }

    /// A state that ignores `limit` cannot make a page exceed it.
    @Test func adminRoomsCapsAnOverlongAnswer() async throws {
        struct Careless: ControlPlaneState {
            func readiness() async -> Readiness { .ready }
            func rooms(after: RoomID?, limit: Int) async -> [RoomSummary] { ControlPlaneTests.rooms }
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let controlPlane = ControlPlane(
            configuration: try ControlPlaneConfiguration(adminToken: Self.token),
            metrics: try Fixture.metrics(),
            state: Careless(),
            logger: logger
        )
        try await Self.app(controlPlane).test(.router) { client in
            let uri = "/admin/rooms?limit=3"
            try await client.execute(uri: uri, method: .get, headers: Self.bearer(Self.token)) { response in
                let page = try JSONDecoder().decode(Page.self, from: Data(String(buffer: response.body).utf8))
                #expect(page.rooms.count == 3)
                #expect(page.next == Self.rooms[2].id.description)
            }
        }
    }

    @Test func roomIDHexRoundTrips() {
        let id = RoomID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(RoomID(hex: id.description) == id)
        #expect(RoomID(hex: id.description.uppercased()) == id)
        #expect(RoomID(hex: String(id.description.dropLast())) == nil)
        #expect(RoomID(hex: id.description + "00") == nil)
    }

    // MARK: Configuration

    @Test func configurationValidatesItsInputs() throws {
        let defaults = try ControlPlaneConfiguration(adminToken: Self.token)
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.port == 9464)
        #expect(throws: ControlPlaneConfigurationError.portOutOfRange(65536)) {
            try ControlPlaneConfiguration(port: 65536, adminToken: Self.token)
        }
        #expect(throws: ControlPlaneConfigurationError.portOutOfRange(-1)) {
            try ControlPlaneConfiguration(port: -1, adminToken: Self.token)
        }
        #expect(throws: ControlPlaneConfigurationError.emptyHost) {
            try ControlPlaneConfiguration(host: "", adminToken: Self.token)
        }
        #expect(throws: ControlPlaneConfigurationError.adminTokenLength(15)) {
            try ControlPlaneConfiguration(adminToken: String(repeating: "t", count: 15))
        }
        #expect(throws: ControlPlaneConfigurationError.adminTokenLength(257)) {
            try ControlPlaneConfiguration(adminToken: String(repeating: "t", count: 257))
        }
        #expect(throws: ControlPlaneConfigurationError.limitBelowOne("maximumConnections")) {
            try ControlPlaneConfiguration(adminToken: Self.token, maximumConnections: 0)
        }
        // The configuration keeps a digest, not the token.
        #expect(!String(reflecting: defaults).contains(Self.token))
    }

    // MARK: Over a socket

    /// The application `makeApplication` builds serves the same routes over real HTTP.
    @Test func applicationServesOverHTTP() async throws {
        let controlPlane = try Self.makeControlPlane()
        try await controlPlane.makeApplication().test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/admin/rooms", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/admin/rooms", method: .get, headers: Self.bearer(Self.token)) {
                #expect($0.status == .ok)
            }
        }
    }
}

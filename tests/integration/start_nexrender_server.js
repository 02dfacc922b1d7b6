// Starts the installed @nexrender/server on 127.0.0.1 only, for the integration tests.
//
// Its own CLI (src/bin.js) always listens on 0.0.0.0; the package also exports
// createHandler(secret), which bin.js hands to micro. This does the same with a host.
//
// usage: node start_nexrender_server.js <node_modules folder> <port file>
// env:   NEXRENDER_DATABASE (read by the package when it loads), RM_NEXRENDER_SECRET
//
// It listens on a port the system picks and writes that port to <port file> (through a
// rename, so a reader never sees half of it). It exits when its stdin closes, so a test
// run that dies without stopping it does not leave a server behind.
'use strict'

const fs = require('fs')
const path = require('path')

const [modules, portFile] = process.argv.slice(2)
const secret = process.env.RM_NEXRENDER_SECRET || ''
if (!modules || !portFile) {
    console.error('usage: node start_nexrender_server.js <node_modules folder> <port file>')
    process.exit(2)
}
if (!secret) {
    // An empty secret switches the server's auth check off; the tests need it on.
    console.error('RM_NEXRENDER_SECRET is empty')
    process.exit(2)
}

const serverDir = path.join(modules, '@nexrender', 'server')
const { createHandler } = require(serverDir)
// The micro the package itself depends on, not whatever else is on the path.
const micro = require(require.resolve('micro', { paths: [serverDir] }))

const server = micro(createHandler(secret))
server.on('error', err => {
    console.error(`nexrender server failed: ${err.stack || err}`)
    process.exit(1)
})
server.listen(0, '127.0.0.1', () => {
    const { port } = server.address()
    fs.writeFileSync(portFile + '.tmp', String(port))
    fs.renameSync(portFile + '.tmp', portFile)
    console.log(`nexrender server listening on 127.0.0.1:${port}`)
})

process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))

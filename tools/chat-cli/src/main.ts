// Placeholder entry replaced by the chat-gateway work (issue #5).
console.error('chat-cli: not built yet (issue #5)');
process.exit(1);

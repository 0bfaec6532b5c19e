// The project runs on Node 24 (package `node@24` puts it in node_modules/.bin, which npm scripts
// put first on PATH). Fail early and clearly if a script ends up on the machine's older Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `MangaAssist needs Node >= 22 (pinned: 24 via the "node" devDependency); got ${process.version}. Run the command through npm (npm run ...) after npm ci.`,
  );
  process.exit(1);
}
console.log(`node ${process.version}`);

#!/usr/bin/env node
// Checks the structured data of saved storefront pages with structured-data-testing-tool (sdtt):
// every JSON-LD block must parse and name real schema.org types, and each page kind must carry
// what Google documents for its rich results:
//   product: Product with name, image, description and an Offer (price, priceCurrency,
//            availability), a BreadcrumbList whose items have position, name and item, and the
//            Open Graph and Twitter card tags (with the image and its alt text) sdtt's presets ask;
//   post:    BlogPosting with headline, author name and datePublished (image recommended);
//   home:    WebSite with a SearchAction, and the store as an Organization.
//
// Usage: NODE_PATH=<dir with structured-data-testing-tool> node structured_data.js KIND=FILE ...
// Exits 1, listing each failed check, when any page fails; warnings are printed, not fatal.
'use strict'

const fs = require('fs')
const { structuredDataTest } = require('structured-data-testing-tool')
const { Twitter, Facebook } = require('structured-data-testing-tool/presets')

const product = {
  name: 'Google Product snippet',
  description: 'https://developers.google.com/search/docs/appearance/structured-data/product-snippet',
  tests: [
    { test: 'Product', type: 'jsonld' },
    { test: 'Product[*].name', type: 'jsonld' },
    { test: 'Product[*].image', type: 'jsonld' },
    { test: 'Product[*].description', type: 'jsonld' },
    { test: 'Product[*].offers."@type"', type: 'jsonld', expect: 'Offer' },
    { test: 'Product[*].offers.price', type: 'jsonld', expect: /^\d+(\.\d+)?$/ },
    { test: 'Product[*].offers.priceCurrency', type: 'jsonld', expect: /^[A-Z]{3}$/ },
    { test: 'Product[*].offers.availability', type: 'jsonld', expect: /^https:\/\/schema\.org\/(InStock|OutOfStock)$/ },
    { test: 'Product[*].offers.url', type: 'jsonld', warning: true },
    { test: 'Product[*].sku', type: 'jsonld', warning: true },
    { test: 'BreadcrumbList', type: 'jsonld' },
    { test: 'BreadcrumbList[*].itemListElement[*].position', type: 'jsonld' },
    { test: 'BreadcrumbList[*].itemListElement[*].name', type: 'jsonld' },
    { test: 'BreadcrumbList[*].itemListElement[*].item', type: 'jsonld' },
  ],
}

const post = {
  name: 'Google Article (BlogPosting)',
  description: 'https://developers.google.com/search/docs/appearance/structured-data/article',
  tests: [
    { test: 'BlogPosting', type: 'jsonld' },
    { test: 'BlogPosting[*].headline', type: 'jsonld' },
    { test: 'BlogPosting[*].author.name', type: 'jsonld' },
    { test: 'BlogPosting[*].datePublished', type: 'jsonld', expect: /^\d{4}-\d{2}-\d{2}T/ },
    { test: 'BlogPosting[*].dateModified', type: 'jsonld', warning: true },
    { test: 'BlogPosting[*].image', type: 'jsonld', warning: true },
  ],
}

const home = {
  name: 'Google sitelinks search box and organization',
  description: 'https://developers.google.com/search/docs/appearance/structured-data/organization',
  tests: [
    { test: 'WebSite', type: 'jsonld' },
    { test: 'WebSite[*].url', type: 'jsonld', expect: /^https?:\/\// },
    { test: 'WebSite[*].potentialAction."@type"', type: 'jsonld', expect: 'SearchAction' },
    { test: 'WebSite[*].potentialAction.target.urlTemplate', type: 'jsonld', expect: /\{search_term_string\}/ },
    { test: 'WebSite[*].potentialAction."query-input"', type: 'jsonld', expect: 'required name=search_term_string' },
    { test: 'Organization', type: 'jsonld' },
    { test: 'Organization[*].name', type: 'jsonld' },
    { test: 'Organization[*].url', type: 'jsonld' },
  ],
}

const kinds = { product: [Twitter, Facebook, product], post: [post], home: [home], page: [] }

async function check(kind, file) {
  if (!(kind in kinds)) throw new Error(`unknown page kind ${kind}: use ${Object.keys(kinds).join(', ')}`)
  const presets = kinds[kind]
  const html = fs.readFileSync(file, 'utf8')
  const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)]
  const problems = []
  for (const [, text] of blocks) {
    try { JSON.parse(text) } catch (e) { problems.push(`a JSON-LD block does not parse: ${e.message}`) }
  }
  let result
  try {
    result = await structuredDataTest(html, { presets })
  } catch (err) {
    if (err.type !== 'VALIDATION_FAILED') throw err
    result = err.res
  }
  for (const test of result.failed) {
    problems.push(`${test.group ? test.group + ' > ' : ''}${test.description || test.test}: ${test.error ? test.error.message : 'failed'}`)
  }
  for (const test of result.warnings) console.log(`${file}: warning: ${test.description || test.test}`)
  console.log(`${file} (${kind}): ${result.passed.length} passed, ${result.failed.length} failed, ${result.warnings.length} warnings; schemas ${result.schemas.join(', ')}`)
  return problems.map(p => `${file}: ${p}`)
}

async function main() {
  const args = process.argv.slice(2)
  if (args.length === 0) {
    console.error('usage: structured_data.js KIND=FILE ...  (KIND: product, post, home, page)')
    process.exit(2)
  }
  let problems = []
  for (const arg of args) {
    const [kind, file] = arg.split('=')
    problems = problems.concat(await check(kind, file))
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'))
    process.exit(1)
  }
}

main().catch(err => { console.error(err); process.exit(2) })

<?xml version="1.0" encoding="utf-8"?>
<!-- Renders paperboy's RSS and Atom feeds as a readable page when opened in a browser. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
<xsl:output method="html" encoding="utf-8" indent="yes"/>
<xsl:template match="/">
<html lang="zh-CN">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="rss/channel/title|atom:feed/atom:title"/></title>
<style>
body { font: 17px/1.7 -apple-system, "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 42rem; margin: 0 auto; padding: 1rem; }
.about { background: #eef4ff; border-radius: .4rem; padding: .6rem 1rem; }
code { word-break: break-all; }
li { margin: .4rem 0; }
.meta { color: #777; font-size: .9rem; }
</style>
</head>
<body>
<div class="about">
<p><strong>这是一个订阅源（feed）。</strong>订阅源是给阅读器程序看的：把本页地址复制到 Feedly、Inoreader、NetNewsWire、Miniflux、FreshRSS 等阅读器里，新的一期出来时，阅读器会自动收到。</p>
<p>This is a web feed. Copy this page's address into your feed reader to subscribe.</p>
</div>
<xsl:apply-templates select="rss/channel|atom:feed"/>
</body>
</html>
</xsl:template>

<xsl:template match="rss/channel">
<h1><xsl:value-of select="title"/></h1>
<p><xsl:value-of select="description"/> · <a href="{link}">网页版</a></p>
<ul>
<xsl:for-each select="item">
<li><a href="{link}"><xsl:value-of select="title"/></a>
<div class="meta"><xsl:value-of select="pubDate"/></div>
<div><xsl:value-of select="description"/></div></li>
</xsl:for-each>
</ul>
</xsl:template>

<xsl:template match="atom:feed">
<h1><xsl:value-of select="atom:title"/></h1>
<p><xsl:value-of select="atom:subtitle"/> · <a href="{atom:link[@rel='alternate']/@href}">网页版</a></p>
<ul>
<xsl:for-each select="atom:entry">
<li><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
<div class="meta"><xsl:value-of select="atom:published"/></div>
<div><xsl:value-of select="atom:summary"/></div></li>
</xsl:for-each>
</ul>
</xsl:template>
</xsl:stylesheet>

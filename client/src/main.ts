import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'maplibre-gl/dist/maplibre-gl.css'
import 'element-plus/dist/index.css'
import './style.css'
import { i18n } from './i18n/index.js'
import App from './App.vue'

createApp(App).use(createPinia()).use(i18n).mount('#app')
